package io.mpconnect.persistence;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Who belongs to which organization, and as what. */
public final class MembershipRepository {
  private final Jdbi jdbi;

  public MembershipRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Optional<Role> roleOf(UUID organizationId, UUID userId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT role FROM memberships
                    WHERE organization_id = :organizationId AND user_id = :userId\
                    """)
                .bind("organizationId", organizationId)
                .bind("userId", userId)
                .mapTo(String.class)
                .findOne()
                .map(Role::valueOf));
  }

  /** Adds the membership unless the user already has one there (whatever its role). */
  public boolean addIfAbsent(UUID organizationId, UUID userId, Role role) {
    return jdbi.withHandle(
        h ->
            h.createUpdate(
                        """
                        INSERT INTO memberships (organization_id, user_id, role)
                        VALUES (:organizationId, :userId, :role) ON CONFLICT DO NOTHING\
                        """)
                    .bind("organizationId", organizationId)
                    .bind("userId", userId)
                    .bind("role", role.name())
                    .execute()
                == 1);
  }

  /**
   * The user's organizations by name (then id, so equal names keep a stable order), each with its
   * marketplace link if any (one link per organization: marketplace_links_organization_unique).
   */
  public List<UserOrganization> organizationsOf(UUID userId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT o.id, o.name, o.plan, m.role,
                           l.aws_account_id AS linked_aws_account, l.subscription_status
                    FROM memberships m JOIN organizations o ON o.id = m.organization_id
                    LEFT JOIN marketplace_links l ON l.organization_id = o.id
                    WHERE m.user_id = :userId
                    ORDER BY lower(o.name), o.name, o.id\
                    """)
                .bind("userId", userId)
                .map(
                    (rs, ctx) ->
                        new UserOrganization(
                            Rows.uuid(rs, "id"),
                            rs.getString("name"),
                            Plan.valueOf(rs.getString("plan")),
                            Role.valueOf(rs.getString("role")),
                            rs.getString("linked_aws_account"),
                            rs.getString("subscription_status") == null
                                ? null
                                : LinkStatus.valueOf(rs.getString("subscription_status"))))
                .list());
  }
}
