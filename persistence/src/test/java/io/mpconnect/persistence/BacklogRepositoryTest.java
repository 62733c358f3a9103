package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The backlog gauges' queries on a real PostgreSQL, from empty to every kind of backlog. */
class BacklogRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final Instant NOW = Instant.parse("2026-11-26T10:20:00Z");

  private final BacklogRepository backlog = new BacklogRepository(postgres.jdbi());

  @Test
  void readsEveryBacklogAndIsZeroWhenThereIsNone() {
    assertThat(backlog.read(NOW)).isEqualTo(new BacklogRepository.Snapshot(0, 0, 0, 0, 0, 0));

    OutboxRepository outbox = new OutboxRepository(postgres.jdbi());
    outbox.enqueue("b:pending", "TEST", null, null, Map.of());
    outbox.enqueue("b:sent", "TEST", null, null, Map.of());
    outbox.enqueue("b:failed", "TEST", null, null, Map.of());
    outbox.markSent(outbox.findByDedupeKey("b:sent").orElseThrow().id());
    outbox.recordFailure(outbox.findByDedupeKey("b:failed").orElseThrow().id(), "no", Duration.ZERO, 1);
    postgres.jdbi().useHandle(h -> {
      h.execute("UPDATE notification_outbox SET created_at = ? WHERE dedupe_key = 'b:pending'",
          utc(NOW.minus(Duration.ofMinutes(30))));
      h.execute("INSERT INTO parked_events (source, reason, detail, body) VALUES"
          + " ('sqs', 'MALFORMED', 'x', '{}'), ('sqs', 'UNSIGNED', 'y', '{}')");
      h.execute("UPDATE parked_events SET resolved_at = now(), resolution = 'ok'"
          + " WHERE reason = 'UNSIGNED'");
      h.execute("INSERT INTO metering_records (product_code, aws_account_id, dimension, usage_hour,"
          + " quantity, origin, status) VALUES ('p', '111122223333', 'api_calls', ?, 3, 'HOURLY',"
          + " 'CUSTOMER_NOT_SUBSCRIBED')", utc(Instant.parse("2026-11-26T08:00:00Z")));
      h.execute("INSERT INTO metering_mismatches (metering_record_id, product_code, aws_account_id,"
          + " dimension, usage_hour, quantity, aws_answer, reason) SELECT id, 'p', '111122223333',"
          + " 'api_calls', usage_hour, 3, 'CustomerNotSubscribed', 'usable' FROM metering_records");
      // 07:00 and 09:00 completed, 08:00 failed: the oldest incomplete hour ended at 09:00.
      h.execute("INSERT INTO metering_runs (hour, status) VALUES (?, 'COMPLETED'), (?, 'FAILED'),"
          + " (?, 'COMPLETED')", utc(Instant.parse("2026-11-26T07:00:00Z")),
          utc(Instant.parse("2026-11-26T08:00:00Z")), utc(Instant.parse("2026-11-26T09:00:00Z")));
    });

    assertThat(backlog.read(NOW)).isEqualTo(new BacklogRepository.Snapshot(
        1, Duration.ofMinutes(30).toSeconds(), 1, 1, 1,
        Duration.ofMinutes(80).toSeconds()));

    // Once 08:00 is completed, everything that has ended is: 0. The current hour never counts.
    postgres.jdbi().useHandle(h -> h.execute(
        "UPDATE metering_runs SET status = 'COMPLETED' WHERE status = 'FAILED'"));
    assertThat(backlog.read(NOW).meteringOldestIncompleteHourSeconds()).isZero();
    // An hour without any run (the schedule did not fire) is incomplete too: 10:00 ended at 11:00.
    assertThat(backlog.read(NOW.plus(Duration.ofHours(1)).plusSeconds(60))
            .meteringOldestIncompleteHourSeconds())
        .isEqualTo(Duration.ofMinutes(21).toSeconds());
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
