package io.mpconnect.activities.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpconnect.activities.metering.MeteringTestBed.Customer;
import io.mpconnect.persistence.metering.MeteringRecordView;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.standins.metering.MeteringCall;
import io.mpconnect.workflows.metering.BatchCursor;
import io.mpconnect.workflows.metering.BatchPage;
import io.mpconnect.workflows.metering.BatchResult;
import io.mpconnect.workflows.metering.SendBatch;
import io.mpconnect.workflows.metering.SendScope;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One BatchMeterUsage call per activity (the workflows' {@code sendBatch} since send-batches), so
 * Temporal's task-queue rate limit paces the calls themselves across the fleet: the real AWS SDK
 * client over HTTP against the stand-in, records in the real PostgreSQL.
 */
class SendBatchTest {
  @RegisterExtension static final MeteringTestBed bed = new MeteringTestBed();

  private List<MeteringCall> batchCalls() {
    return bed.standIn.calls("BatchMeterUsage");
  }

  @Test
  void planningCutsFullCallsOfOneDimensionAcrossPages() {
    Instant hour = MeteringTestBed.lastHour();
    bed.licensedCustomers(60, hour);
    bed.ledger(MeteringTestBed.DIMENSIONS).prepareHour(hour); // 60 zero records per dimension
    MeteringLedgerActivitiesImpl ledger = bed.ledger(MeteringTestBed.DIMENSIONS);

    List<SendBatch> planned = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    BatchCursor after = BatchCursor.START;
    do {
      BatchPage page = ledger.planBatches(SendScope.ofHour(hour), after, null, 2);
      planned.addAll(page.batches());
      pageSizes.add(page.batches().size());
      after = page.next();
    } while (after != null);

    // 60 records of each dimension: 25 + 25 + 10, never a call across dimensions or pages.
    assertThat(planned).extracting(SendBatch::dimension, SendBatch::records).containsExactly(
        org.assertj.core.groups.Tuple.tuple("api_calls", 25),
        org.assertj.core.groups.Tuple.tuple("api_calls", 25),
        org.assertj.core.groups.Tuple.tuple("api_calls", 10),
        org.assertj.core.groups.Tuple.tuple("storage_gb", 25),
        org.assertj.core.groups.Tuple.tuple("storage_gb", 25),
        org.assertj.core.groups.Tuple.tuple("storage_gb", 10));
    assertThat(pageSizes).allMatch(size -> size <= 2);
    // Every pending record is in exactly one planned call.
    assertThat(planned.stream().mapToInt(SendBatch::records).sum()).isEqualTo(120);
  }

  @Test
  void pagesPlannedUpFrontAreDisjointAndHoldEveryPendingRecordInFullCalls() {
    Instant hour = MeteringTestBed.lastHour();
    bed.licensedCustomers(60, hour);
    bed.ledger(MeteringTestBed.DIMENSIONS).prepareHour(hour);
    MeteringLedgerActivitiesImpl ledger = bed.ledger(MeteringTestBed.DIMENSIONS);
    SendScope scope = SendScope.ofHour(hour);

    List<BatchCursor> starts = ledger.planPages(scope, 2);
    List<List<SendBatch>> pages = new ArrayList<>();
    for (int k = 0; k < starts.size(); k++) {
      BatchCursor until = k + 1 < starts.size() ? starts.get(k + 1) : null;
      pages.add(ledger.planBatches(scope, starts.get(k), until, 2).batches());
    }

    // 25 + 25 + 10 records of each dimension, two calls a page.
    assertThat(pages).extracting(page -> page.stream().map(SendBatch::records).toList())
        .containsExactly(List.of(25, 25), List.of(10, 25), List.of(25, 10));
    List<Long> ids = new ArrayList<>();
    pages.forEach(page -> page.forEach(batch -> {
      assertThat(batch.fromId()).isLessThanOrEqualTo(batch.toId());
      ids.add(batch.fromId());
    }));
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(pages.stream().flatMap(List::stream).mapToInt(SendBatch::records).sum())
        .isEqualTo(120);
  }

  @Test
  void eachActivityMakesExactlyOneCallAndTheHourIsBilledOnce() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.licensedCustomers(26, hour);
    for (int i = 0; i < customers.size(); i++) {
      bed.usage(customers.get(i), "api_calls", i + 1, hour.plusSeconds(i), "u-" + i);
    }
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    BatchPage page = bed.ledger(List.of("api_calls"))
        .planBatches(SendScope.ofHour(hour), BatchCursor.START, null, 200);

    BatchResult first = bed.sender().sendBatch(page.batches().get(0), 1);
    assertThat(batchCalls()).hasSize(1);
    BatchResult again = bed.sender().sendBatch(page.batches().get(0), 2);
    BatchResult second = bed.sender().sendBatch(page.batches().get(1), 1);

    assertThat(page.batches()).extracting(SendBatch::records).containsExactly(25, 1);
    assertThat(first.progress().succeeded()).isEqualTo(25);
    // A retry of an answered call finds nothing pending and calls AWS not at all.
    assertThat(again.progress().calls()).isZero();
    assertThat(second.progress().succeeded()).isEqualTo(1);
    assertThat(batchCalls()).hasSize(2);
    assertThat(bed.standIn.meteredRecords()).hasSize(26);
    for (MeteringCall call : batchCalls()) {
      call.request().path("UsageRecords").forEach(record -> {
        assertThat(record.has("CustomerIdentifier")).isFalse();
        assertThat(record.path("CustomerAWSAccountId").asText()).isNotEmpty();
        assertThat(record.path("LicenseArn").asText()).startsWith("arn:aws:license-manager");
      });
    }
  }

  @Test
  void aThrottledCallFailsTheAttemptRetryablyWithADelaySoItsRetryIsPacedByTheQueue() {
    Instant hour = MeteringTestBed.lastHour();
    bed.licensedCustomers(3, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    SendBatch batch = bed.ledger(List.of("api_calls"))
        .planBatches(SendScope.ofHour(hour), BatchCursor.START, null, 200).batches().get(0);
    bed.standIn.failNext("BatchMeterUsage", "ThrottlingException", 1);

    ApplicationFailure throttled = catchThrowableOfType(ApplicationFailure.class,
        () -> bed.sender().sendBatch(batch, 3));
    BatchResult retry = bed.sender().sendBatch(batch, 4);

    assertThat(throttled.getType()).isEqualTo(BatchMeterUsageSender.THROTTLED);
    assertThat(throttled.isNonRetryable()).isFalse();
    // Attempt 3: 1 s doubled twice, with jitter between half and all of it.
    assertThat(throttled.getNextRetryDelay()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(retry.progress().succeeded()).isEqualTo(3);
    // The retry sent the same records, identical.
    assertThat(batchCalls().get(1).request()).isEqualTo(batchCalls().get(0).request());
    assertThat(bed.records().countPendingOfHour(hour)).isZero();
  }

  @Test
  void recordsLeftUnprocessedAreStoredAsFarAsAnsweredThenTheAttemptFailsToSendTheRest() {
    Instant hour = MeteringTestBed.lastHour();
    bed.licensedCustomers(10, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    SendBatch batch = bed.ledger(List.of("api_calls"))
        .planBatches(SendScope.ofHour(hour), BatchCursor.START, null, 200).batches().get(0);
    bed.standIn.returnUnprocessedNext(4);

    ApplicationFailure unprocessed = catchThrowableOfType(ApplicationFailure.class,
        () -> bed.sender().sendBatch(batch, 1));
    int pendingBetween = bed.records().countPendingOfHour(hour);
    BatchResult retry = bed.sender().sendBatch(batch, 2);

    assertThat(unprocessed.getType()).isEqualTo(BatchMeterUsageSender.UNPROCESSED);
    assertThat(pendingBetween).isEqualTo(4);
    assertThat(batchCalls().get(1).request().path("UsageRecords")).hasSize(4);
    assertThat(retry.progress().succeeded()).isEqualTo(4);
    assertThat(bed.standIn.meteredRecords()).hasSize(10);
  }

  @Test
  void aRecordOfALicenseRevokedBeforeItsSendIsNeverSentAndAlerts() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.licensedCustomers(3, hour);
    Customer revoked = customers.get(1);
    bed.usage(revoked, "api_calls", 42, hour.plusSeconds(600), "late");
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    // License Deprovisioned (or unsubscribe-success) arrives before the hour is sent.
    bed.jdbi().useHandle(h -> h.execute("UPDATE marketplace_licenses SET status = 'ENDED',"
        + " revoked_at = ? WHERE aws_account_id = ?",
        OffsetDateTime.ofInstant(Instant.now().minusSeconds(5), ZoneOffset.UTC),
        revoked.account()));

    var sent = bed.sendInBatches(SendScope.ofHour(hour));

    assertThat(sent.succeeded()).isEqualTo(2);
    assertThat(sent.pending()).isZero();
    assertThat(bed.records().ofCustomer(revoked.key()))
        .extracting(MeteringRecordView::status, MeteringRecordView::failure,
            MeteringRecordView::quantity)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(RecordStatus.FAILED,
            "LicenseRevoked", 42L));
    assertThat(batchCalls()).allSatisfy(call -> assertThat(call.request().toString())
        .doesNotContain(revoked.account()));
    assertThat(bed.alerts).containsExactly("LicenseRevoked=1");
  }
}
