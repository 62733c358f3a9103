package io.mpconnect.persistence.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MeteringRunRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final Instant LATEST = Instant.parse("2026-11-26T10:00:00Z");
  private static final HourCounts NONE = new HourCounts(0, 0, 0, 0, 0);

  @Test
  void dueHoursAreTheMissedAndFailedHoursSinceMeteringBeganInsideTheWindow() {
    MeteringRunRepository runs = new MeteringRunRepository(postgres.jdbi());
    Instant oldest = LATEST.minus(Duration.ofHours(5));

    // Nothing recorded yet: only the last hour.
    assertThat(runs.dueHours(oldest, LATEST)).containsExactly(LATEST);

    runs.start(LATEST.minus(Duration.ofHours(4)));
    runs.finish(LATEST.minus(Duration.ofHours(4)), RunStatus.COMPLETED, NONE, 1, 0, null);
    runs.start(LATEST.minus(Duration.ofHours(2)));
    runs.finish(LATEST.minus(Duration.ofHours(2)), RunStatus.FAILED, NONE, 1, 0, "AWS down");
    runs.start(LATEST.minus(Duration.ofHours(9)));

    assertThat(runs.dueHours(oldest, LATEST)).containsExactly(
        LATEST.minus(Duration.ofHours(5)),
        LATEST.minus(Duration.ofHours(3)),
        LATEST.minus(Duration.ofHours(2)),
        LATEST.minus(Duration.ofHours(1)),
        LATEST);
    assertThat(runs.overdue(oldest)).containsExactly(LATEST.minus(Duration.ofHours(9)));
    assertThat(runs.find(LATEST.minus(Duration.ofHours(2))).orElseThrow().attempts()).isEqualTo(1);
  }
}
