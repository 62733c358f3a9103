package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Lifecycle messages that could not be applied: parked once, listed for support, resolved. */
public final class ParkedEventRepository {
  /** What is kept of a body; SQS bodies are at most this long anyway. */
  public static final int MAX_BODY_CHARS = 256 * 1024;

  private static final int MAX_DETAIL_CHARS = 2000;

  private final Jdbi jdbi;

  public ParkedEventRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** What to park. {@code transportMessageId}, {@code productCode}, {@code customerKey} may be null. */
  public record Parking(
      String source,
      String reason,
      String detail,
      String transportMessageId,
      String productCode,
      String customerKey,
      String body) {}

  /**
   * Parks the message unless the same queue message was parked already (then it writes nothing).
   *
   * @return true when a row was written
   */
  public boolean park(Parking parking) {
    String body = parking.body() == null ? "" : parking.body().replace('\u0000', '\uFFFD');
    boolean truncated = body.length() > MAX_BODY_CHARS;
    String kept = truncated ? body.substring(0, MAX_BODY_CHARS) : body;
    String detail = parking.detail() == null ? "" : parking.detail().replace('\u0000', '\uFFFD');
    return jdbi.withHandle(
        h ->
            h.createUpdate(
                        """
                        INSERT INTO parked_events
                          (source, reason, detail, transport_message_id, product_code,
                           customer_key, body, body_truncated)
                        VALUES (:source, :reason, :detail, :transportMessageId, :productCode,
                                :customerKey, :body, :truncated)
                        ON CONFLICT (source, transport_message_id) DO NOTHING\
                        """)
                    .bind("source", parking.source())
                    .bind("reason", parking.reason())
                    .bind("detail",
                        detail.length() <= MAX_DETAIL_CHARS ? detail
                            : detail.substring(0, MAX_DETAIL_CHARS))
                    .bind("transportMessageId", parking.transportMessageId())
                    .bind("productCode", parking.productCode())
                    .bind("customerKey", parking.customerKey())
                    .bind("body", kept)
                    .bind("truncated", truncated)
                    .execute()
                == 1);
  }

  /** Unresolved ones, oldest first. */
  public List<ParkedEvent> unresolved(int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM parked_events WHERE resolved_at IS NULL
                    ORDER BY parked_at, id LIMIT :limit\
                    """)
                .bind("limit", limit)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  public int countUnresolved() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM parked_events WHERE resolved_at IS NULL")
                .mapTo(Integer.class)
                .one());
  }

  /** Marks one handled (re-injected, or dismissed), with a note saying how. */
  public boolean resolve(long id, String resolution) {
    return jdbi.withHandle(
        h ->
            h.createUpdate(
                        """
                        UPDATE parked_events SET resolved_at = now(), resolution = :resolution
                        WHERE id = :id AND resolved_at IS NULL\
                        """)
                    .bind("id", id)
                    .bind("resolution", resolution)
                    .execute()
                == 1);
  }

  private static ParkedEvent map(ResultSet rs) throws SQLException {
    return new ParkedEvent(
        rs.getLong("id"),
        Rows.instant(rs, "parked_at"),
        rs.getString("source"),
        rs.getString("reason"),
        rs.getString("detail"),
        rs.getString("transport_message_id"),
        rs.getString("product_code"),
        rs.getString("customer_key"),
        rs.getString("body"),
        rs.getBoolean("body_truncated"),
        Rows.instant(rs, "resolved_at"),
        rs.getString("resolution"));
  }
}
