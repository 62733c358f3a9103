package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Users and the sign-in identities (OIDC issuer + subject) that lead to them. */
public final class UserRepository {
  private final Jdbi jdbi;

  public UserRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Optional<User> findById(UUID id) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM users WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  public Optional<User> findByIdentity(String issuer, String subject) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT u.* FROM users u
                    JOIN user_identities i ON i.user_id = u.id
                    WHERE i.issuer = :issuer AND i.subject = :subject\
                    """)
                .bind("issuer", issuer)
                .bind("subject", subject)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  /**
   * The user of an identity, created on its first sign-in. A changed e-mail or display name is
   * stored; a null one never erases what we know. Two first sign-ins racing end with one user.
   */
  public User signIn(String issuer, String subject, String email, String displayName) {
    return jdbi.inTransaction(
        h -> {
          UUID id =
              userIdOf(h, issuer, subject)
                  .orElseGet(() -> createWithIdentity(h, issuer, subject, email, displayName));
          h.createUpdate(
                  """
                  UPDATE users SET email = COALESCE(:email, email),
                                   display_name = COALESCE(:displayName, display_name)
                  WHERE id = :id
                    AND (email IS DISTINCT FROM COALESCE(:email, email)
                         OR display_name IS DISTINCT FROM COALESCE(:displayName, display_name))\
                  """)
              .bind("id", id)
              .bind("email", email)
              .bind("displayName", displayName)
              .execute();
          return findById(id).orElseThrow();
        });
  }

  private static Optional<UUID> userIdOf(Handle h, String issuer, String subject) {
    return h.createQuery(
            "SELECT user_id FROM user_identities WHERE issuer = :issuer AND subject = :subject")
        .bind("issuer", issuer)
        .bind("subject", subject)
        .mapTo(UUID.class)
        .findOne();
  }

  private static UUID createWithIdentity(
      Handle h, String issuer, String subject, String email, String displayName) {
    UUID created =
        h.createQuery(
                "INSERT INTO users (email, display_name) VALUES (:email, :displayName) RETURNING"
                    + " id")
            .bind("email", email)
            .bind("displayName", displayName)
            .mapTo(UUID.class)
            .one();
    // A concurrent first sign-in may have claimed the identity: it waits for that transaction,
    // then does nothing, and we adopt the winner's user.
    int claimed =
        h.createUpdate(
                """
                INSERT INTO user_identities (issuer, subject, user_id)
                VALUES (:issuer, :subject, :userId) ON CONFLICT DO NOTHING\
                """)
            .bind("issuer", issuer)
            .bind("subject", subject)
            .bind("userId", created)
            .execute();
    if (claimed == 1) {
      return created;
    }
    h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", created).execute();
    return userIdOf(h, issuer, subject).orElseThrow();
  }

  static User map(ResultSet rs) throws SQLException {
    return new User(
        Rows.uuid(rs, "id"),
        rs.getString("email"),
        rs.getString("display_name"),
        Rows.instant(rs, "created_at"));
  }
}
