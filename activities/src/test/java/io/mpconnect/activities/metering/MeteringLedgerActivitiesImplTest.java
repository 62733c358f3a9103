package io.mpconnect.activities.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.mpconnect.activities.metering.MeteringTestBed.Customer;
import io.mpconnect.persistence.metering.HourCounts;
import io.mpconnect.persistence.metering.MeteringRecordView;
import io.mpconnect.persistence.metering.MeteringRunRepository;
import io.mpconnect.persistence.metering.Origin;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.persistence.metering.RunStatus;
import io.mpconnect.standins.metering.MeteredRecord;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.metering.DueHours;
import io.mpconnect.workflows.metering.FlushPlan;
import io.mpconnect.workflows.metering.MeteringRunResult;
import io.mpconnect.workflows.metering.RunFinish;
import io.mpconnect.workflows.metering.RunOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MeteringLedgerActivitiesImplTest {
  @RegisterExtension static final MeteringTestBed bed = new MeteringTestBed();

  private static final Runnable NO_HEARTBEAT = () -> {};

  @Test
  void theFinalFlushSendsThePartialHourAndLaterUsageIsBilledInTheNextHourNeverTwice() {
    Instant hour = MeteringTestBed.lastHour().minus(Duration.ofHours(1));
    Customer leaving = bed.customer(true, "UNSUBSCRIBE_PENDING", hour.plusSeconds(600));
    bed.usage(leaving, "api_calls", 5, hour.plusSeconds(300), "before-flush");
    Clock flushTime = Clock.fixed(hour.plusSeconds(1200), ZoneOffset.UTC);

    // unsubscribe-pending at 20 past: the legacy event names the customer only by identifier.
    FlushPlan plan = bed.ledger(MeteringTestBed.DIMENSIONS, flushTime).prepareFinalFlush(
        new FinalFlushRequest(MeteringTestBed.PRODUCT, leaving.customerIdentifier(),
            leaving.customerIdentifier(), null, null, flushTime.instant(), 3));
    bed.sender().sendCustomer(leaving.key(), NO_HEARTBEAT);

    assertThat(plan.awsAccountId()).isEqualTo(leaving.account());
    assertThat(plan.pending()).isEqualTo(2);
    // The product keeps reporting until it hears unsubscribe-success.
    bed.usage(leaving, "api_calls", 3, hour.plusSeconds(2400), "after-flush");

    MeteringLedgerActivitiesImpl ledger = bed.ledger(MeteringTestBed.DIMENSIONS);
    ledger.prepareHour(hour);
    bed.sender().sendHour(hour, NO_HEARTBEAT);
    ledger.prepareHour(hour.plus(Duration.ofHours(1)));
    bed.sender().sendHour(hour.plus(Duration.ofHours(1)), NO_HEARTBEAT);

    assertThat(bed.records().ofCustomer(leaving.key()))
        .extracting(MeteringRecordView::usageHour, MeteringRecordView::dimension,
            MeteringRecordView::quantity, MeteringRecordView::origin, MeteringRecordView::status)
        .containsExactly(
            tuple(hour, "api_calls", 5L, Origin.FINAL_FLUSH, RecordStatus.SUCCESS),
            tuple(hour, "storage_gb", 0L, Origin.FINAL_FLUSH, RecordStatus.SUCCESS),
            tuple(hour.plus(Duration.ofHours(1)), "api_calls", 3L, Origin.HOURLY,
                RecordStatus.SUCCESS),
            tuple(hour.plus(Duration.ofHours(1)), "storage_gb", 0L, Origin.HOURLY,
                RecordStatus.SUCCESS));
    assertThat(bed.standIn.meteredRecords().stream()
            .filter(r -> r.dimension().equals("api_calls"))
            .mapToInt(MeteredRecord::quantity).sum())
        .isEqualTo(8);
    assertThat(bed.standIn.calls("BatchMeterUsage").stream()
            .flatMap(c -> java.util.stream.StreamSupport.stream(
                c.response().path("Results").spliterator(), false))
            .map(r -> r.path("Status").asText()))
        .containsOnly("Success");
  }

  @Test
  void aCustomerNeverSeenHereHasNothingToFlush() {
    FlushPlan plan = bed.ledger(MeteringTestBed.DIMENSIONS).prepareFinalFlush(
        new FinalFlushRequest(MeteringTestBed.PRODUCT, "cust-unknown", "cust-unknown", null, null,
            Instant.now(), 1));

    assertThat(plan.awsAccountId()).isNull();
  }

  @Test
  void dueHoursCatchUpOnMissedAndFailedHoursAndExpireThoseOutOfTheWindow() {
    Instant now = Instant.parse("2026-11-26T10:07:00Z");
    MeteringRunRepository runs = new MeteringRunRepository(bed.jdbi());
    HourCounts none = new HourCounts(0, 0, 0, 0, 0);
    runs.start(Instant.parse("2026-11-26T06:00:00Z"));
    runs.finish(Instant.parse("2026-11-26T06:00:00Z"), RunStatus.COMPLETED, none, 0, 0, null);
    runs.start(Instant.parse("2026-11-26T08:00:00Z"));
    runs.finish(Instant.parse("2026-11-26T08:00:00Z"), RunStatus.FAILED, none, 0, 0, "down");
    // An hour that failed long ago, with a record AWS never answered.
    Instant old = Instant.parse("2026-11-26T02:00:00Z");
    Customer customer = bed.customer(false, old);
    bed.ledger(List.of("api_calls")).prepareHour(old);
    runs.finish(old, RunStatus.FAILED, none, 0, 0, "down");

    DueHours due = bed.ledger(List.of("api_calls")).dueHours(now);

    // The window is 6 h: 05:00 is the oldest hour worth starting at 10:07.
    assertThat(due.hours()).containsExactly(
        Instant.parse("2026-11-26T05:00:00Z"),
        Instant.parse("2026-11-26T07:00:00Z"),
        Instant.parse("2026-11-26T08:00:00Z"),
        Instant.parse("2026-11-26T09:00:00Z"));
    assertThat(due.expired()).containsExactly(old);
    assertThat(runs.find(old).orElseThrow().status()).isEqualTo(RunStatus.EXPIRED);
    assertThat(bed.records().ofCustomer(customer.key()))
        .extracting(MeteringRecordView::status, MeteringRecordView::failure)
        .containsExactly(tuple(RecordStatus.FAILED, "WindowExpired"));
    assertThat(bed.alerts).containsExactly("WindowExpired=1");
  }

  @Test
  void anHourThatRanOutOfWindowIsReportedAndItsUnsentRecordsFailed() {
    Instant hour = MeteringTestBed.lastHour();
    bed.customers(2, hour);
    MeteringLedgerActivitiesImpl ledger = bed.ledger(List.of("api_calls"));
    ledger.prepareHour(hour);

    MeteringRunResult result =
        ledger.finishHour(new RunFinish(hour, RunOutcome.EXPIRED, 12, 3, "AWS unavailable"));

    assertThat(result.outcome()).isEqualTo(RunOutcome.EXPIRED);
    assertThat(result.failed()).isEqualTo(2);
    assertThat(result.pending()).isZero();
    assertThat(new MeteringRunRepository(bed.jdbi()).find(hour).orElseThrow())
        .extracting(r -> r.status(), r -> r.calls(), r -> r.throttles(), r -> r.lastError())
        .containsExactly(RunStatus.EXPIRED, 12, 3, "AWS unavailable");
    assertThat(bed.alerts).containsExactly("WindowExpired=2");
  }
}
