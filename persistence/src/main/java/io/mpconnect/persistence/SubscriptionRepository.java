package io.mpconnect.persistence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A marketplace subscription's effects: the link's status, the linked organization's plan and
 * billing provider, and their audit rows, changed together in one transaction. Every method is
 * idempotent: called again with the same arguments it finds its work done and writes nothing.
 */
public final class SubscriptionRepository {
  /** The actor of every change a lifecycle event causes. */
  public static final String ACTOR = "aws-marketplace";

  private final Jdbi jdbi;

  public SubscriptionRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** The link a subscription's customer key (customer identifier or AWS account id) names. */
  public record LinkedOrganization(
      String productCode,
      String awsAccountId,
      String customerIdentifier,
      UUID organizationId,
      String organizationName,
      String linkedByOnboarding,
      LinkStatus status,
      Plan plan) {}

  /** What {@link #applyStatus} found and did. */
  public record Applied(
      LinkStatus before, LinkStatus after, Plan plan, boolean linkChanged, boolean planChanged) {}

  /**
   * The link of the customer a lifecycle event names: by legacy customer identifier first, else by
   * AWS account id.
   */
  public Optional<LinkedOrganization> findByCustomerKey(String productCode, String customerKey) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT l.product_code, l.aws_account_id, c.customer_identifier,
                           l.organization_id, o.name, l.linked_by_onboarding,
                           l.subscription_status, o.plan
                    FROM marketplace_links l
                    JOIN marketplace_customers c
                      ON c.product_code = l.product_code AND c.aws_account_id = l.aws_account_id
                    JOIN organizations o ON o.id = l.organization_id
                    WHERE l.product_code = :productCode
                      AND (c.customer_identifier = :key OR l.aws_account_id = :key)
                    ORDER BY (c.customer_identifier = :key) DESC NULLS LAST
                    LIMIT 1\
                    """)
                .bind("productCode", productCode)
                .bind("key", customerKey)
                .map(
                    (rs, ctx) ->
                        new LinkedOrganization(
                            rs.getString("product_code"),
                            rs.getString("aws_account_id"),
                            rs.getString("customer_identifier"),
                            Rows.uuid(rs, "organization_id"),
                            rs.getString("name"),
                            rs.getString("linked_by_onboarding"),
                            LinkStatus.valueOf(rs.getString("subscription_status")),
                            Plan.valueOf(rs.getString("plan"))))
                .findOne());
  }

  /** The AWS account of a legacy customer identifier, when the customer has registered. */
  public Optional<String> accountOfIdentifier(String productCode, String customerIdentifier) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT aws_account_id FROM marketplace_customers
                    WHERE product_code = :productCode AND customer_identifier = :identifier\
                    """)
                .bind("productCode", productCode)
                .bind("identifier", customerIdentifier)
                .mapTo(String.class)
                .findOne());
  }

  /**
   * Sets the link's subscription status and, with it, the organization's plan: ACTIVE puts it on
   * STANDARD billed through AWS Marketplace (also after a re-subscription); FAILED and
   * UNSUBSCRIBED put it back on STARTER if AWS Marketplace was billing it; the others leave the
   * plan alone (after unsubscribe-pending the last hour is still billed). The link itself is
   * kept, whatever the status. Audits each change once per {@code sequence}.
   *
   * @return empty when the customer has no link to that organization
   */
  public Optional<Applied> applyStatus(
      String productCode,
      String awsAccountId,
      UUID organizationId,
      LinkStatus to,
      String customerKey,
      long sequence,
      Map<String, ?> cause) {
    return jdbi.inTransaction(
        h -> {
          // Lock order as in connect and activate: organization, then link.
          Optional<Organization> organization = new OrganizationRepository(jdbi).lockById(organizationId);
          if (organization.isEmpty()) {
            return Optional.empty();
          }
          Optional<LinkStatus> current =
              h.createQuery(
                      """
                      SELECT subscription_status FROM marketplace_links
                      WHERE product_code = :productCode AND aws_account_id = :awsAccountId
                        AND organization_id = :organizationId
                      FOR UPDATE\
                      """)
                  .bind("productCode", productCode)
                  .bind("awsAccountId", awsAccountId)
                  .bind("organizationId", organizationId)
                  .mapTo(String.class)
                  .findOne()
                  .map(LinkStatus::valueOf);
          if (current.isEmpty()) {
            return Optional.empty();
          }
          LinkStatus before = current.get();
          boolean linkChanged = before != to;
          if (!linkChanged) {
            // A repeat of this sequence (an activity retried after its commit, a local activity
            // run again after its workflow task's completion was lost) answers as the first run
            // did: the subscription workflow decides on it whether the owners hear.
            Optional<LinkStatus> changedFrom = changedBy(h, productCode, customerKey, sequence, to);
            if (changedFrom.isPresent()) {
              before = changedFrom.get();
              linkChanged = true;
            }
          } else {
            h.createUpdate(
                    """
                    UPDATE marketplace_links
                    SET subscription_status = :to, status_changed_at = now()
                    WHERE product_code = :productCode AND aws_account_id = :awsAccountId\
                    """)
                .bind("to", to.name())
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .execute();
            Map<String, Object> details = details(customerKey, sequence, cause);
            details.put("from", before.name());
            details.put("to", to.name());
            auditOnce(h, AuditAction.SUBSCRIPTION_STATUS_CHANGED, organizationId, productCode,
                awsAccountId, details);
          }
          Organization org = organization.get();
          Plan plan = org.plan();
          boolean planChanged = false;
          if (to == LinkStatus.ACTIVE
              && (org.plan() != Plan.STANDARD
                  || org.billingProvider() != BillingProvider.AWS_MARKETPLACE)) {
            planChanged = changePlan(h, org, Plan.STANDARD, BillingProvider.AWS_MARKETPLACE,
                productCode, awsAccountId, customerKey, sequence, cause);
            plan = Plan.STANDARD;
          } else if ((to == LinkStatus.FAILED || to == LinkStatus.UNSUBSCRIBED)
              && org.billingProvider() == BillingProvider.AWS_MARKETPLACE) {
            planChanged = changePlan(h, org, Plan.STARTER, BillingProvider.NONE,
                productCode, awsAccountId, customerKey, sequence, cause);
            plan = Plan.STARTER;
          }
          if (!planChanged && planChangedBy(h, organizationId, customerKey, sequence)) {
            planChanged = true;
          }
          return Optional.of(new Applied(before, to, plan, linkChanged, planChanged));
        });
  }

  /** The status this sequence changed the link from to {@code to}, if it did (its audit row). */
  private static Optional<LinkStatus> changedBy(
      Handle h, String productCode, String customerKey, long sequence, LinkStatus to) {
    return h.createQuery(
            """
            SELECT details ->> 'from' FROM audit_log
            WHERE action = 'SUBSCRIPTION_STATUS_CHANGED' AND product_code = :productCode
              AND details ->> 'customerKey' = :customerKey
              AND details ->> 'sequence' = :sequence AND details ->> 'to' = :to\
            """)
        .bind("productCode", productCode)
        .bind("customerKey", customerKey)
        .bind("sequence", Long.toString(sequence))
        .bind("to", to.name())
        .mapTo(String.class)
        .findOne()
        .map(LinkStatus::valueOf);
  }

  /** Whether this sequence changed the organization's plan (its audit row). */
  private static boolean planChangedBy(
      Handle h, UUID organizationId, String customerKey, long sequence) {
    return h.createQuery(
            """
            SELECT count(*) FROM audit_log
            WHERE action = 'PLAN_CHANGED' AND organization_id = :organizationId
              AND details ->> 'customerKey' = :customerKey
              AND details ->> 'sequence' = :sequence\
            """)
        .bind("organizationId", organizationId)
        .bind("customerKey", customerKey)
        .bind("sequence", Long.toString(sequence))
        .mapTo(Integer.class)
        .one()
        > 0;
  }

  /**
   * Audits a status change of a customer with no organization linked yet (an event before the
   * registration). Written once per (customer key, sequence).
   */
  public void recordUnlinkedStatus(
      String productCode,
      String awsAccountId,
      String customerKey,
      String from,
      String to,
      long sequence,
      Map<String, ?> cause) {
    Map<String, Object> details = details(customerKey, sequence, cause);
    details.put("from", from);
    details.put("to", to);
    jdbi.useHandle(
        h -> auditOnce(h, AuditAction.SUBSCRIPTION_STATUS_CHANGED, null, productCode, awsAccountId,
            details));
  }

  /** The organization's owners, who hear about its subscription. */
  public List<UUID> ownersOf(UUID organizationId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT user_id FROM memberships
                    WHERE organization_id = :organizationId AND role = 'OWNER'
                    ORDER BY created_at, user_id\
                    """)
                .bind("organizationId", organizationId)
                .mapTo(UUID.class)
                .list());
  }

  private boolean changePlan(
      Handle h,
      Organization org,
      Plan plan,
      BillingProvider provider,
      String productCode,
      String awsAccountId,
      String customerKey,
      long sequence,
      Map<String, ?> cause) {
    int updated =
        h.createUpdate(
                "UPDATE organizations SET plan = :plan, billing_provider = :provider WHERE id = :id")
            .bind("plan", plan.name())
            .bind("provider", provider.name())
            .bind("id", org.id())
            .execute();
    if (updated == 0) {
      return false;
    }
    Map<String, Object> details = details(customerKey, sequence, cause);
    details.put("fromPlan", org.plan().name());
    details.put("fromBillingProvider", org.billingProvider().name());
    details.put("toPlan", plan.name());
    details.put("toBillingProvider", provider.name());
    new AuditLog(jdbi)
        .record(ACTOR, AuditAction.PLAN_CHANGED, org.id(), productCode, awsAccountId, details);
    return true;
  }

  private static boolean auditOnce(
      Handle h,
      AuditAction action,
      UUID organizationId,
      String productCode,
      String awsAccountId,
      Map<String, Object> details) {
    return h.createUpdate(
                """
                INSERT INTO audit_log
                  (actor, action, organization_id, product_code, aws_account_id, details)
                VALUES (:actor, :action, :organizationId, :productCode, :awsAccountId,
                        CAST(:details AS jsonb))
                ON CONFLICT DO NOTHING\
                """)
            .bind("actor", ACTOR)
            .bind("action", action.name())
            .bind("organizationId", organizationId)
            .bind("productCode", productCode)
            .bind("awsAccountId", awsAccountId)
            .bind("details", Json.write(details))
            .execute()
        == 1;
  }

  private static Map<String, Object> details(
      String customerKey, long sequence, Map<String, ?> extra) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("customerKey", customerKey);
    details.put("sequence", Long.toString(sequence));
    if (extra != null) {
      extra.forEach(
          (k, v) -> {
            if (v != null) {
              details.put(k, v);
            }
          });
    }
    return details;
  }
}
