package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The AWS Marketplace customers we have seen, keyed by (product code, AWS account id). */
public final class MarketplaceCustomerRepository {
  private final Jdbi jdbi;

  public MarketplaceCustomerRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records the customer. Keeps the first {@code first_seen_at}; fills the legacy customer
   * identifier when it becomes known and never replaces one already stored.
   *
   * @throws org.jdbi.v3.core.statement.UnableToExecuteStatementException when the identifier
   *     already belongs to another AWS account of the product (unique violation, SQL state 23505)
   */
  public void register(String productCode, String awsAccountId, String customerIdentifier) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO marketplace_customers
                      (product_code, aws_account_id, customer_identifier)
                    VALUES (:productCode, :awsAccountId, :customerIdentifier)
                    ON CONFLICT (product_code, aws_account_id) DO UPDATE
                      SET customer_identifier = EXCLUDED.customer_identifier
                      WHERE marketplace_customers.customer_identifier IS NULL
                        AND EXCLUDED.customer_identifier IS NOT NULL\
                    """)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .bind("customerIdentifier", customerIdentifier)
                .execute());
  }

  public Optional<MarketplaceCustomer> find(String productCode, String awsAccountId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM marketplace_customers
                    WHERE product_code = :productCode AND aws_account_id = :awsAccountId\
                    """)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  /** For legacy lifecycle events, which name the customer only by its identifier. */
  public Optional<MarketplaceCustomer> findByCustomerIdentifier(
      String productCode, String customerIdentifier) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM marketplace_customers
                    WHERE product_code = :productCode
                      AND customer_identifier = :customerIdentifier\
                    """)
                .bind("productCode", productCode)
                .bind("customerIdentifier", customerIdentifier)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  /**
   * The AWS account a registration resolved this legacy CustomerIdentifier to, or null while no
   * registration named it (where legacy lifecycle events are mapped to their subscription).
   */
  public String accountOf(String productCode, String customerIdentifier) {
    return findByCustomerIdentifier(productCode, customerIdentifier)
        .map(MarketplaceCustomer::awsAccountId)
        .orElse(null);
  }

  private static MarketplaceCustomer map(ResultSet rs) throws SQLException {
    return new MarketplaceCustomer(
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        rs.getString("customer_identifier"),
        Rows.instant(rs, "first_seen_at"));
  }

  /** A customer whose subscription may still run the code before licenses. */
  public record Unmigrated(String productCode, String awsAccountId, String customerIdentifier) {}

  /** Customers not yet asked to migrate their subscription workflow, oldest first. */
  public java.util.List<Unmigrated> unmigrated(int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT product_code, aws_account_id, customer_identifier
                    FROM marketplace_customers WHERE subscription_migrated_at IS NULL
                    ORDER BY first_seen_at LIMIT :limit\
                    """)
                .bind("limit", limit)
                .map((rs, ctx) -> new Unmigrated(
                    rs.getString("product_code"), rs.getString("aws_account_id"),
                    rs.getString("customer_identifier")))
                .list());
  }

  public void markMigrated(String productCode, String awsAccountId) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    UPDATE marketplace_customers SET subscription_migrated_at = now()
                    WHERE product_code = :productCode AND aws_account_id = :account\
                    """)
                .bind("productCode", productCode)
                .bind("account", awsAccountId)
                .execute());
  }
}
