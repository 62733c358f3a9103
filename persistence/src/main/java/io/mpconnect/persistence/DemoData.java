package io.mpconnect.persistence;

import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The developer mode's demo accounts: {@value #OWNER_EMAIL} signs in at the development OIDC
 * provider and sees one organization of each kind on the sign-up page. Seeding again changes
 * nothing, so state from an earlier session (a link made, a plan changed) survives.
 */
public final class DemoData {
  public static final String OWNER_EMAIL = "owner@example.com";
  public static final String OTHER_EMAIL = "other@example.com";

  /** Starter, owned by the demo user: eligible. */
  public static final UUID ACME_ANALYTICS = UUID.fromString("0000de00-0000-4000-8000-000000000001");

  /** Standard, owned by the demo user: NOT_STARTER_PLAN. */
  public static final UUID ACME_ENTERPRISE =
      UUID.fromString("0000de00-0000-4000-8000-000000000002");

  /** Starter, owned by {@value #OTHER_EMAIL}, the demo user is a member: NOT_OWNER. */
  public static final UUID GLOBEX_RESEARCH =
      UUID.fromString("0000de00-0000-4000-8000-000000000003");

  /** The users the seeding found or created. */
  public record Seeded(UUID ownerUserId, UUID otherUserId) {}

  /**
   * Seeds for an OIDC issuer: each demo user's identity is (issuer, e-mail address), which is the
   * subject the development provider issues when one signs in with that name.
   */
  public static Seeded seed(Jdbi jdbi, String issuer) {
    return jdbi.inTransaction(
        h -> {
          UserRepository users = new UserRepository(jdbi);
          OrganizationRepository organizations = new OrganizationRepository(jdbi);
          MembershipRepository memberships = new MembershipRepository(jdbi);

          UUID owner = users.signIn(issuer, OWNER_EMAIL, OWNER_EMAIL, "Olivia Owner").id();
          UUID other = users.signIn(issuer, OTHER_EMAIL, OTHER_EMAIL, "Oscar Other").id();

          organizations.insertIfAbsent(ACME_ANALYTICS, "Acme Analytics", Plan.STARTER);
          organizations.insertIfAbsent(ACME_ENTERPRISE, "Acme Enterprise", Plan.STANDARD);
          organizations.insertIfAbsent(GLOBEX_RESEARCH, "Globex Research", Plan.STARTER);

          memberships.addIfAbsent(ACME_ANALYTICS, owner, Role.OWNER);
          memberships.addIfAbsent(ACME_ENTERPRISE, owner, Role.OWNER);
          memberships.addIfAbsent(GLOBEX_RESEARCH, other, Role.OWNER);
          memberships.addIfAbsent(GLOBEX_RESEARCH, owner, Role.MEMBER);
          return new Seeded(owner, other);
        });
  }

  private DemoData() {}
}
