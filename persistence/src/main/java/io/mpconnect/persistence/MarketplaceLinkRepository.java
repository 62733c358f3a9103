package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Links between AWS customers and organizations (at most one each way, enforced by the schema) and
 * the subscription state on them. Every new link and every plan change is audited here.
 */
public final class MarketplaceLinkRepository {
  private static final String SELECT =
      """
      SELECT l.*, c.customer_identifier
      FROM marketplace_links l
      JOIN marketplace_customers c
        ON c.product_code = l.product_code AND c.aws_account_id = l.aws_account_id
      """;

  private final Jdbi jdbi;
  private final AuditLog audit;

  public MarketplaceLinkRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.audit = new AuditLog(jdbi);
  }

  /** What {@link #activate} did. */
  public enum Activation {
    /** No link for this customer (yet): nothing to activate. */
    NOT_LINKED,
    /** The link was already active on the paid plan. */
    ALREADY_ACTIVE,
    ACTIVATED
  }

  /**
   * Links the customer (which must be registered) to the organization with status PENDING, unless
   * the customer or the organization is linked already: then it writes nothing and returns false,
   * and the caller reads who holds the link. A concurrent insert of the same customer makes this
   * wait for that transaction's outcome.
   */
  public boolean linkIfAbsent(
      String productCode,
      String awsAccountId,
      UUID organizationId,
      String onboardingId,
      String actor) {
    return jdbi.inTransaction(
        h -> {
          boolean inserted =
              h.createUpdate(
                          """
                          INSERT INTO marketplace_links
                            (product_code, aws_account_id, organization_id, linked_by_onboarding)
                          VALUES (:productCode, :awsAccountId, :organizationId, :onboardingId)
                          ON CONFLICT DO NOTHING\
                          """)
                      .bind("productCode", productCode)
                      .bind("awsAccountId", awsAccountId)
                      .bind("organizationId", organizationId)
                      .bind("onboardingId", onboardingId)
                      .execute()
                  == 1;
          if (inserted) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("onboardingId", onboardingId);
            audit.record(
                actor, AuditAction.LINKED, organizationId, productCode, awsAccountId, details);
          }
          return inserted;
        });
  }

  public Optional<MarketplaceLink> find(String productCode, String awsAccountId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    SELECT
                        + "WHERE l.product_code = :productCode AND l.aws_account_id ="
                        + " :awsAccountId")
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  public Optional<MarketplaceLink> findByOrganization(UUID organizationId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(SELECT + "WHERE l.organization_id = :organizationId")
                .bind("organizationId", organizationId)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  /**
   * Puts the linked organization on the paid Standard plan billed through AWS Marketplace and marks
   * the subscription ACTIVE; also re-activates a link after a re-subscription. Idempotent: a
   * PLAN_CHANGED audit row is written only when the plan or billing provider changed.
   */
  public Activation activate(String productCode, String awsAccountId, String actor) {
    return jdbi.inTransaction(
        h -> {
          Optional<MarketplaceLink> unlocked = find(productCode, awsAccountId);
          if (unlocked.isEmpty()) {
            return Activation.NOT_LINKED;
          }
          // Lock the organization before the link, in the same order as a connect does, so the
          // two cannot deadlock.
          UUID organizationId = unlocked.get().organizationId();
          new OrganizationRepository(jdbi).lockById(organizationId);
          MarketplaceLink link =
              h.createQuery(
                      SELECT
                          + """
                          WHERE l.product_code = :productCode AND l.aws_account_id = :awsAccountId
                          FOR UPDATE OF l\
                          """)
                  .bind("productCode", productCode)
                  .bind("awsAccountId", awsAccountId)
                  .map((rs, ctx) -> map(rs))
                  .one();
          boolean statusChanged = link.subscriptionStatus() != LinkStatus.ACTIVE;
          if (statusChanged) {
            h.createUpdate(
                    """
                    UPDATE marketplace_links
                    SET subscription_status = 'ACTIVE', status_changed_at = now()
                    WHERE product_code = :productCode AND aws_account_id = :awsAccountId\
                    """)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .execute();
          }
          boolean planChanged = moveToPaidPlan(link, actor);
          return statusChanged || planChanged ? Activation.ACTIVATED : Activation.ALREADY_ACTIVE;
        });
  }

  private boolean moveToPaidPlan(MarketplaceLink link, String actor) {
    Optional<Map<String, Object>> before =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        UPDATE organizations o
                        SET plan = 'STANDARD', billing_provider = 'AWS_MARKETPLACE'
                        FROM (SELECT id, plan, billing_provider FROM organizations
                              WHERE id = :id) old
                        WHERE o.id = old.id
                          AND (old.plan <> 'STANDARD' OR old.billing_provider <> 'AWS_MARKETPLACE')
                        RETURNING old.plan, old.billing_provider\
                        """)
                    .bind("id", link.organizationId())
                    .map(
                        (rs, ctx) -> {
                          Map<String, Object> row = new LinkedHashMap<>();
                          row.put("fromPlan", rs.getString("plan"));
                          row.put("fromBillingProvider", rs.getString("billing_provider"));
                          return row;
                        })
                    .findOne());
    if (before.isEmpty()) {
      return false;
    }
    Map<String, Object> details = new LinkedHashMap<>(before.get());
    details.put("toPlan", Plan.STANDARD.name());
    details.put("toBillingProvider", BillingProvider.AWS_MARKETPLACE.name());
    audit.record(
        actor,
        AuditAction.PLAN_CHANGED,
        link.organizationId(),
        link.productCode(),
        link.awsAccountId(),
        details);
    return true;
  }

  static MarketplaceLink map(ResultSet rs) throws SQLException {
    return new MarketplaceLink(
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        rs.getString("customer_identifier"),
        Rows.uuid(rs, "organization_id"),
        rs.getString("linked_by_onboarding"),
        Rows.instant(rs, "linked_at"),
        LinkStatus.valueOf(rs.getString("subscription_status")),
        Rows.instant(rs, "status_changed_at"));
  }
}
