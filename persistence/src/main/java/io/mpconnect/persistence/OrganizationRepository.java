package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Organizations, their plan and billing provider. */
public final class OrganizationRepository {
  private static final String DETAILS =
      """
      SELECT o.*, l.product_code, l.aws_account_id, c.customer_identifier,
             l.organization_id, l.linked_by_onboarding, l.linked_at,
             l.subscription_status, l.status_changed_at
      FROM organizations o
      LEFT JOIN marketplace_links l ON l.organization_id = o.id
      LEFT JOIN marketplace_customers c
        ON c.product_code = l.product_code AND c.aws_account_id = l.aws_account_id
      WHERE o.id = :id\
      """;

  private final Jdbi jdbi;
  private final AuditLog audit;

  public OrganizationRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.audit = new AuditLog(jdbi);
  }

  public Optional<Organization> findById(UUID id) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM organizations WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  /** The support view: plan, billing provider and the marketplace link, if any. */
  public Optional<OrganizationDetails> findDetails(UUID id) {
    return jdbi.withHandle(
        h ->
            h.createQuery(DETAILS)
                .bind("id", id)
                .map(
                    (rs, ctx) ->
                        new OrganizationDetails(
                            map(rs),
                            rs.getString("product_code") == null
                                ? null
                                : MarketplaceLinkRepository.map(rs)))
                .findOne());
  }

  /**
   * Reads the organization and locks it until the caller's transaction ends, so its plan and
   * memberships cannot change under a connect. Call inside {@code jdbi.inTransaction}.
   */
  public Optional<Organization> lockById(UUID id) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM organizations WHERE id = :id FOR UPDATE")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  /**
   * Creates the Starter organization of an onboarding, or finds the one an earlier attempt of the
   * same onboarding created (then {@code created} is false and the name is the first one).
   */
  public Created createForOnboarding(String name, String onboardingId, String actor) {
    return jdbi.inTransaction(
        h -> {
          Optional<Organization> inserted =
              h.createQuery(
                      """
                      INSERT INTO organizations (name, created_by_onboarding)
                      VALUES (:name, :onboardingId)
                      ON CONFLICT (created_by_onboarding) DO NOTHING
                      RETURNING *\
                      """)
                  .bind("name", name)
                  .bind("onboardingId", onboardingId)
                  .map((rs, ctx) -> map(rs))
                  .findOne();
          if (inserted.isPresent()) {
            Organization organization = inserted.get();
            audit.record(
                actor,
                AuditAction.ORGANIZATION_CREATED,
                organization.id(),
                null,
                null,
                Map.of("name", name, "onboardingId", onboardingId));
            return new Created(organization, true);
          }
          Organization existing =
              h.createQuery(
                      "SELECT * FROM organizations WHERE created_by_onboarding = :onboardingId")
                  .bind("onboardingId", onboardingId)
                  .map((rs, ctx) -> map(rs))
                  .one();
          return new Created(existing, false);
        });
  }

  /** Inserts an organization with a fixed id unless it exists (seeding). */
  public boolean insertIfAbsent(UUID id, String name, Plan plan) {
    return jdbi.withHandle(
        h ->
            h.createUpdate(
                        """
                        INSERT INTO organizations (id, name, plan) VALUES (:id, :name, :plan)
                        ON CONFLICT (id) DO NOTHING\
                        """)
                    .bind("id", id)
                    .bind("name", name)
                    .bind("plan", plan.name())
                    .execute()
                == 1);
  }

  public record Created(Organization organization, boolean created) {}

  static Organization map(ResultSet rs) throws SQLException {
    return new Organization(
        Rows.uuid(rs, "id"),
        rs.getString("name"),
        Plan.valueOf(rs.getString("plan")),
        BillingProvider.valueOf(rs.getString("billing_provider")),
        rs.getString("created_by_onboarding"),
        Rows.instant(rs, "created_at"));
  }
}
