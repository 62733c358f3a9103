package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The entitlements of contract customers (table marketplace_entitlements), per license, as AWS's
 * GetEntitlements last answered. {@link #replace} stores one read (every row of the license, in
 * one transaction); the console and the support view read.
 */
public final class EntitlementRepository {
  /** The license_key of a read that named no license (a legacy listing's whole account). */
  public static final String ACCOUNT_KEY = "account";

  private static final String COLUMNS =
      "product_code, aws_account_id, license_key, license_arn, dimension, value_type, value,"
          + " expires_at, read_at";

  private final Jdbi jdbi;

  public EntitlementRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** One stored entitlement. */
  public record Entitlement(
      String productCode,
      String awsAccountId,
      String licenseKey,
      String licenseArn,
      String dimension,
      String valueType,
      String value,
      Instant expiresAt,
      Instant readAt) {

    /** True when AWS gave an expiry and it is not after {@code now}. */
    public boolean expiredAt(Instant now) {
      return expiresAt != null && !expiresAt.isAfter(now);
    }
  }

  /** One entitlement of a read, as AWS returned it. */
  public record Line(String dimension, String valueType, String value, Instant expiresAt) {
    public Line {
      Objects.requireNonNull(dimension, "dimension");
    }
  }

  /**
   * Replaces what is stored for the license ({@code licenseArn}, or the whole account when null)
   * with one read. Several lines of one dimension keep the last.
   */
  public void replace(
      String productCode, String awsAccountId, String licenseArn, List<Line> lines, Instant readAt) {
    Objects.requireNonNull(productCode, "productCode");
    Objects.requireNonNull(awsAccountId, "awsAccountId");
    String key = licenseArn == null ? ACCOUNT_KEY : licenseArn;
    Map<String, Line> byDimension = new LinkedHashMap<>();
    for (Line line : lines) {
      byDimension.put(line.dimension(), line);
    }
    jdbi.useTransaction(
        h -> {
          h.createUpdate(
                  """
                  DELETE FROM marketplace_entitlements
                  WHERE product_code = :productCode AND aws_account_id = :awsAccountId
                    AND license_key = :key\
                  """)
              .bind("productCode", productCode)
              .bind("awsAccountId", awsAccountId)
              .bind("key", key)
              .execute();
          for (Line line : byDimension.values()) {
            h.createUpdate(
                    """
                    INSERT INTO marketplace_entitlements
                      (product_code, aws_account_id, license_key, license_arn, dimension,
                       value_type, value, expires_at, read_at)
                    VALUES (:productCode, :awsAccountId, :key, :licenseArn, :dimension,
                            :valueType, :value, :expiresAt, :readAt)\
                    """)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .bind("key", key)
                .bind("licenseArn", licenseArn)
                .bind("dimension", line.dimension())
                .bind("valueType", line.valueType())
                .bind("value", line.value())
                .bind("expiresAt", utc(line.expiresAt()))
                .bind("readAt", utc(readAt))
                .execute();
          }
        });
  }

  /** The entitlements of one customer, by license then dimension. */
  public List<Entitlement> forCustomer(String productCode, String awsAccountId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT " + COLUMNS
                        + """
                         FROM marketplace_entitlements
                        WHERE product_code = :productCode AND aws_account_id = :awsAccountId
                        ORDER BY license_key, dimension\
                        """)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  /**
   * The entitlements of the customers linked to an organization (marketplace_links) or whose
   * licenses were written for it (marketplace_licenses), by license then dimension.
   */
  public List<Entitlement> forOrganization(UUID organizationId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT " + COLUMNS
                        + """
                         FROM marketplace_entitlements e
                        WHERE (e.product_code, e.aws_account_id) IN (
                            SELECT product_code, aws_account_id FROM marketplace_links
                             WHERE organization_id = :organizationId
                            UNION
                            SELECT product_code, aws_account_id FROM marketplace_licenses
                             WHERE organization_id = :organizationId)
                        ORDER BY e.product_code, e.aws_account_id, e.license_key, e.dimension\
                        """)
                .bind("organizationId", organizationId)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  private static Entitlement map(ResultSet rs) throws SQLException {
    return new Entitlement(
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        rs.getString("license_key"),
        rs.getString("license_arn"),
        rs.getString("dimension"),
        rs.getString("value_type"),
        rs.getString("value"),
        Rows.instant(rs, "expires_at"),
        Rows.instant(rs, "read_at"));
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
