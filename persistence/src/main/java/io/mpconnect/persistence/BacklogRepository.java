package io.mpconnect.persistence;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * What an operator must hear about that only the database knows: the notification outbox's
 * backlog, parked lifecycle events nobody resolved, open CustomerNotSubscribed mismatches, and
 * metering hours that ended without a completed run. Read by the worker's metrics on scrape
 * (io.mpconnect.worker.BacklogMeters); every query uses an index or a small table.
 */
public final class BacklogRepository {
  /** How far back an hour without a completed metering run is looked for. */
  public static final Duration METERING_LOOKBACK = Duration.ofHours(24);

  private final Jdbi jdbi;

  public BacklogRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * @param outboxPending e-mails not sent yet and not given up
   * @param outboxOldestPendingSeconds age of the oldest of them (0 when none)
   * @param outboxFailed e-mails the dispatcher gave up on
   * @param parkedUnresolved parked lifecycle events without {@code resolved_at}
   * @param mismatchesOpen CustomerNotSubscribed on a usable license, not resolved
   * @param meteringOldestIncompleteHourSeconds seconds since the end of the oldest hour (of the
   *     last {@link #METERING_LOOKBACK}, and not before the first metering run ever) that has
   *     ended and has no COMPLETED run; 0 when every such hour is completed
   */
  public record Snapshot(
      long outboxPending,
      double outboxOldestPendingSeconds,
      long outboxFailed,
      long parkedUnresolved,
      long mismatchesOpen,
      double meteringOldestIncompleteHourSeconds) {}

  public Snapshot read(Instant now) {
    Instant lastEndedHour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    Instant lookback = now.truncatedTo(ChronoUnit.HOURS).minus(METERING_LOOKBACK);
    return jdbi.withHandle(h -> {
      var outbox = h.createQuery(
              """
              SELECT count(*) AS pending, min(created_at) AS oldest,
                     (SELECT count(*) FROM notification_outbox WHERE failed_at IS NOT NULL)
                       AS failed
              FROM notification_outbox WHERE sent_at IS NULL AND failed_at IS NULL\
              """)
          .map((rs, ctx) -> new long[] {
              rs.getLong("pending"),
              ageSeconds(rs.getObject("oldest", OffsetDateTime.class), now),
              rs.getLong("failed")})
          .one();
      long parked = h.createQuery(
              "SELECT count(*) FROM parked_events WHERE resolved_at IS NULL")
          .mapTo(Long.class).one();
      long mismatches = h.createQuery(
              "SELECT count(*) FROM metering_mismatches WHERE resolved_at IS NULL")
          .mapTo(Long.class).one();
      OffsetDateTime oldestIncomplete = h.createQuery(
              """
              SELECT min(h.hour) FROM generate_series(
                  greatest(:lookback, (SELECT min(hour) FROM metering_runs)),
                  :lastEnded, interval '1 hour') AS h(hour)
              WHERE EXISTS (SELECT 1 FROM metering_runs)
                AND NOT EXISTS (SELECT 1 FROM metering_runs r
                                WHERE r.hour = h.hour AND r.status = 'COMPLETED')\
              """)
          .bind("lookback", utc(lookback))
          .bind("lastEnded", utc(lastEndedHour))
          .mapTo(OffsetDateTime.class)
          .findOne()
          .orElse(null);
      double meteringLag = oldestIncomplete == null ? 0
          : Math.max(0, Duration.between(
              oldestIncomplete.toInstant().plus(Duration.ofHours(1)), now).toSeconds());
      return new Snapshot(outbox[0], outbox[1], outbox[2], parked, mismatches, meteringLag);
    });
  }

  private static long ageSeconds(OffsetDateTime oldest, Instant now) {
    return oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toSeconds());
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
