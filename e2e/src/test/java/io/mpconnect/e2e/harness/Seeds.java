package io.mpconnect.e2e.harness;

import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Data a journey needs before it starts: an existing user who owns an organization. */
public final class Seeds {
  /**
   * A user known by this OIDC subject who owns one organization on the plan given; returns the
   * organization's id. The sign-in finds the user by (issuer, subject).
   */
  public static String ownerWithOrganization(
      Jdbi jdbi, String issuer, String subject, String email, String organizationName, String plan) {
    return jdbi.inTransaction(h -> {
      UUID user = h.createQuery(
              "INSERT INTO users (email, display_name) VALUES (:email, :name) RETURNING id")
          .bind("email", email).bind("name", "E2E " + subject).mapTo(UUID.class).one();
      h.createUpdate(
              "INSERT INTO user_identities (issuer, subject, user_id) VALUES (:i, :s, :u)")
          .bind("i", issuer).bind("s", subject).bind("u", user).execute();
      UUID organization = h.createQuery(
              "INSERT INTO organizations (name, plan) VALUES (:name, :plan) RETURNING id")
          .bind("name", organizationName).bind("plan", plan).mapTo(UUID.class).one();
      h.createUpdate(
              "INSERT INTO memberships (organization_id, user_id, role) VALUES (:o, :u, 'OWNER')")
          .bind("o", organization).bind("u", user).execute();
      return organization.toString();
    });
  }

  private Seeds() {}
}
