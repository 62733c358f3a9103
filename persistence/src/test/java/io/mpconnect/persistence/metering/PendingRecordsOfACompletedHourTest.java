package io.mpconnect.persistence.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Records a final flush left in an hour whose run had completed are not forgotten. */
class PendingRecordsOfACompletedHourTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final Instant LATEST = Instant.parse("2026-11-26T10:00:00Z");
  private static final HourCounts NONE = new HourCounts(0, 0, 0, 0, 0);

  @Test
  void anHourWithPendingRecordsIsDueAgainEvenAfterItsRunCompleted() {
    MeteringRunRepository runs = new MeteringRunRepository(postgres.jdbi());
    MeteringFixtures fixtures = new MeteringFixtures(postgres.jdbi());
    Instant latest = LATEST;
    Instant hour = latest.minus(Duration.ofHours(1));
    runs.start(hour);
    runs.finish(hour, RunStatus.COMPLETED, NONE, 1, 0, null);
    runs.start(latest);
    runs.finish(latest, RunStatus.COMPLETED, NONE, 1, 0, null);
    // A final flush put the leaving customer's usage into that hour afterwards.
    MeteringFixtures.Linked leaving = fixtures.link(MeteringFixtures.nextAccount(), null,
        "UNSUBSCRIBE_PENDING", hour);
    new UsageRecordRepository(postgres.jdbi()).append(
        java.util.List.of(leaving.usage("api_calls", 1, hour.plusSeconds(5), "k")));
    new MeteringRecordRepository(postgres.jdbi()).aggregateCustomer(leaving.customer(), hour,
        latest.plus(Duration.ofHours(1)), java.util.List.of());

    assertThat(runs.dueHours(hour, latest)).containsExactly(hour);
    assertThat(runs.overdue(latest)).containsExactly(hour);
  }
}
