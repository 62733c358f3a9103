package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The notification outbox. Writers enqueue once per dedupe key; the dispatcher claims due rows,
 * delivers them and records the result.
 */
public final class OutboxRepository {
  private static final int MAX_ERROR_LENGTH = 1000;

  private final Jdbi jdbi;

  public OutboxRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Adds the message unless one with the same dedupe key exists; true when added. */
  public boolean enqueue(
      String dedupeKey,
      String kind,
      UUID recipientUserId,
      UUID organizationId,
      Map<String, ?> payload) {
    return jdbi.withHandle(
        h ->
            h.createUpdate(
                        """
                        INSERT INTO notification_outbox
                          (dedupe_key, kind, recipient_user_id, organization_id, payload)
                        VALUES (:dedupeKey, :kind, :recipientUserId, :organizationId,
                                CAST(:payload AS jsonb))
                        ON CONFLICT (dedupe_key) DO NOTHING\
                        """)
                    .bind("dedupeKey", dedupeKey)
                    .bind("kind", kind)
                    .bind("recipientUserId", recipientUserId)
                    .bind("organizationId", organizationId)
                    .bind("payload", Json.write(payload))
                    .execute()
                == 1);
  }

  /**
   * Claims up to {@code limit} due messages for {@code lease}: they are not due again until the
   * lease ends, so a second dispatcher skips them, and a dispatcher that dies mid-send leaves them
   * to be retried. Rows another dispatcher is claiming right now are skipped, not awaited.
   */
  public List<OutboxMessage> claimDue(int limit, Duration lease) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    UPDATE notification_outbox
                    SET next_attempt_at = now() + make_interval(secs => :leaseSeconds)
                    WHERE id IN (SELECT id FROM notification_outbox
                                 WHERE sent_at IS NULL AND failed_at IS NULL
                                   AND next_attempt_at <= now()
                                 ORDER BY next_attempt_at, id
                                 LIMIT :limit
                                 FOR UPDATE SKIP LOCKED)
                    RETURNING *\
                    """)
                .bind("leaseSeconds", seconds(lease))
                .bind("limit", limit)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  public void markSent(long id) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE notification_outbox SET sent_at = now(), last_error = NULL WHERE id ="
                        + " :id")
                .bind("id", id)
                .execute());
  }

  /**
   * Counts a failed attempt. After {@code maxAttempts} the message is given up (failed_at set,
   * last_error kept for support); otherwise it is due again after {@code retryIn}.
   *
   * @return true when the message was given up
   */
  public boolean recordFailure(long id, String error, Duration retryIn, int maxAttempts) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    UPDATE notification_outbox
                    SET attempts = attempts + 1,
                        last_error = :error,
                        next_attempt_at = now() + make_interval(secs => :retrySeconds),
                        failed_at = CASE WHEN attempts + 1 >= :maxAttempts THEN now() END
                    WHERE id = :id
                    RETURNING failed_at IS NOT NULL\
                    """)
                .bind("id", id)
                .bind("error", truncate(error))
                .bind("retrySeconds", seconds(retryIn))
                .bind("maxAttempts", maxAttempts)
                .mapTo(Boolean.class)
                .one());
  }

  /** Gives the message up at once, for failures no retry can fix. */
  public void giveUp(long id, String error) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    UPDATE notification_outbox
                    SET attempts = attempts + 1, last_error = :error, failed_at = now()
                    WHERE id = :id\
                    """)
                .bind("id", id)
                .bind("error", truncate(error))
                .execute());
  }

  public Optional<OutboxMessage> findByDedupeKey(String dedupeKey) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM notification_outbox WHERE dedupe_key = :dedupeKey")
                .bind("dedupeKey", dedupeKey)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  private static String truncate(String error) {
    if (error == null) {
      return "unknown error";
    }
    return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
  }

  private static OutboxMessage map(ResultSet rs) throws SQLException {
    return new OutboxMessage(
        rs.getLong("id"),
        rs.getString("dedupe_key"),
        rs.getString("kind"),
        Rows.uuid(rs, "recipient_user_id"),
        Rows.uuid(rs, "organization_id"),
        Json.read(rs.getString("payload")),
        rs.getInt("attempts"),
        Rows.instant(rs, "next_attempt_at"),
        Rows.instant(rs, "sent_at"),
        Rows.instant(rs, "failed_at"),
        rs.getString("last_error"));
  }
}
