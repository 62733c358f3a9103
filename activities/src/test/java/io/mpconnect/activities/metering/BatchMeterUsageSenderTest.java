package io.mpconnect.activities.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpconnect.activities.metering.MeteringTestBed.Customer;
import io.mpconnect.persistence.metering.MeteringRecordView;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.standins.metering.MeteredRecord;
import io.mpconnect.standins.metering.MeteringCall;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.metering.HourPlan;
import io.mpconnect.workflows.metering.SendProgress;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageRequest;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageResponse;

/**
 * BatchMeterUsage through the real AWS SDK client against the JSON 1.1 stand-in, which records
 * every call and bills like AWS (de-duplication, UnprocessedRecords, throttling).
 */
class BatchMeterUsageSenderTest {
  @RegisterExtension static final MeteringTestBed bed = new MeteringTestBed();

  private static final Runnable NO_HEARTBEAT = () -> {};

  private List<MeteringCall> batchCalls() {
    return bed.standIn.calls("BatchMeterUsage");
  }

  private static List<Integer> sizes(List<MeteringCall> calls) {
    return calls.stream().map(c -> c.request().path("UsageRecords").size()).toList();
  }

  private List<MeteringRecordView> recordsOf(List<Customer> customers) {
    List<MeteringRecordView> all = new ArrayList<>();
    customers.forEach(c -> all.addAll(bed.records().ofCustomer(c.key())));
    return all;
  }

  @Test
  void twentySixCustomersMakeTwoCallsOf25And1StampedWithTheUsageHour() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.customers(26, hour);
    for (int i = 0; i < customers.size(); i++) {
      bed.usage(customers.get(i), "api_calls", i + 1, hour.plusSeconds(60L * i), "u-" + i);
    }
    // The product replays a report: counted once.
    bed.usage(customers.get(0), "api_calls", 1, hour, "u-0");

    HourPlan plan = bed.ledger(List.of("api_calls")).prepareHour(hour);
    SendProgress progress = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(plan.pending()).isEqualTo(26);
    assertThat(sizes(batchCalls())).containsExactly(25, 1);
    assertThat(progress).isEqualTo(new SendProgress(2, 0, 0, 26, 0, 0, 0, 0, false));
    assertThat(bed.standIn.meteredRecords()).hasSize(26)
        .allSatisfy(r -> assertThat(r.timestamp()).isEqualTo(hour));
    Map<String, Integer> billed = bed.standIn.meteredRecords().stream()
        .collect(Collectors.toMap(MeteredRecord::customerAwsAccountId, MeteredRecord::quantity));
    for (int i = 0; i < customers.size(); i++) {
      assertThat(billed.get(customers.get(i).account())).isEqualTo(i + 1);
    }
    // Every customer by account, never by the deprecated CustomerIdentifier (half of them have
    // one); no license rows: no LicenseArn.
    for (MeteringCall call : batchCalls()) {
      for (JsonNode record : call.request().path("UsageRecords")) {
        assertThat(record.path("CustomerAWSAccountId").asText()).hasSize(12);
        assertThat(record.has("CustomerIdentifier")).isFalse();
        assertThat(record.has("LicenseArn")).isFalse();
      }
    }
    assertThat(recordsOf(customers)).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(RecordStatus.SUCCESS);
      assertThat(r.awsMeteringRecordId()).isNotBlank();
    });
  }

  @Test
  void aWorkerKilledMidHourLeavesNothingDoubleSentAndNothingLost() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.customers(30, hour);
    for (Customer customer : customers) {
      bed.usage(customer, "api_calls", 7, hour.plusSeconds(5), "u");
    }
    bed.ledger(MeteringTestBed.DIMENSIONS).prepareHour(hour);
    // 60 records: api_calls in calls of 25 and 5, then storage_gb in 25 and 5. The worker dies
    // right after AWS answered the second call, before it could store the answer.
    MarketplaceMeteringClient dying = new DyingClient(bed.client, 2);

    catchThrowableOfType(WorkerKilled.class,
        () -> bed.sender(dying).sendHour(hour, NO_HEARTBEAT));
    assertThat(bed.records().countPendingOfHour(hour)).isEqualTo(35);

    // The activity's retry, on another worker.
    SendProgress retry = bed.sender().sendHour(hour, NO_HEARTBEAT);

    List<MeteringCall> calls = batchCalls();
    assertThat(sizes(calls)).containsExactly(25, 5, 5, 25, 5);
    // The lost call went again, identical, and AWS answered with the same MeteringRecordIds.
    assertThat(calls.get(2).request()).isEqualTo(calls.get(1).request());
    assertThat(calls.get(2).response().path("Results"))
        .isEqualTo(calls.get(1).response().path("Results"));
    assertThat(retry.succeeded()).isEqualTo(35);
    assertThat(bed.standIn.meteredRecords()).hasSize(60);
    assertThat(bed.standIn.meteredRecords().stream().mapToInt(MeteredRecord::quantity).sum())
        .isEqualTo(30 * 7);
    Set<String> awsIds = bed.standIn.meteredRecords().stream()
        .map(MeteredRecord::meteringRecordId).collect(Collectors.toSet());
    assertThat(recordsOf(customers)).hasSize(60).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(RecordStatus.SUCCESS);
      assertThat(awsIds).contains(r.awsMeteringRecordId());
    });
  }

  @Test
  void unprocessedRecordsAreResubmittedAndOnlyMarkedSentOnceAwsSaidSo() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.customers(30, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.returnUnprocessedNext(4);

    SendProgress progress = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(progress.unprocessed()).isEqualTo(4);
    assertThat(progress.succeeded()).isEqualTo(30);
    assertThat(sizes(batchCalls())).containsExactly(25, 5, 4);
    assertThat(batchCalls().get(0).response().path("UnprocessedRecords")).hasSize(4);
    assertThat(recordsOf(customers)).extracting(MeteringRecordView::status)
        .containsOnly(RecordStatus.SUCCESS);
    assertThat(bed.standIn.meteredRecords()).hasSize(30);
  }

  @Test
  void throttlingIsSurvived() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.customers(26, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.failNext("BatchMeterUsage", "ThrottlingException", 3);

    SendProgress progress = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(progress.throttles()).isEqualTo(3);
    assertThat(progress.calls()).isEqualTo(5);
    assertThat(progress.pending()).isZero();
    assertThat(recordsOf(customers)).extracting(MeteringRecordView::status)
        .containsOnly(RecordStatus.SUCCESS);
  }

  @Test
  void throttlingThatDoesNotStopLeavesTheRecordsPendingForALaterAttempt() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.customers(3, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.failNext("BatchMeterUsage", "ThrottlingException",
        BatchMeterUsageSender.MAX_THROTTLES_PER_CALL);

    SendProgress first = bed.sender().sendHour(hour, NO_HEARTBEAT);
    SendProgress later = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(first.pending()).isEqualTo(3);
    assertThat(first.outOfTime()).isFalse();
    assertThat(later.succeeded()).isEqualTo(3);
    assertThat(recordsOf(customers)).extracting(MeteringRecordView::attempts).containsOnly(2);
  }

  @Test
  void customerNotSubscribedAndDuplicateRecordAreStoredAsFinalAnswers() {
    Instant hour = MeteringTestBed.lastHour();
    Customer gone = bed.customer(false, hour);
    Customer meteredElsewhere = bed.customer(false, hour);
    Customer fine = bed.customer(true, hour);
    bed.standIn.unsubscribe(gone.account());
    // Someone else already metered this customer-hour with another quantity.
    bed.client.batchMeterUsage(BatchMeterUsageRequest.builder()
        .productCode(MeteringTestBed.PRODUCT)
        .usageRecords(r -> r.customerAWSAccountId(meteredElsewhere.account())
            .dimension("api_calls").quantity(99).timestamp(hour))
        .build());
    bed.standIn.reset();

    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.unsubscribe(gone.account());
    bed.client.batchMeterUsage(BatchMeterUsageRequest.builder()
        .productCode(MeteringTestBed.PRODUCT)
        .usageRecords(r -> r.customerAWSAccountId(meteredElsewhere.account())
            .dimension("api_calls").quantity(99).timestamp(hour))
        .build());
    SendProgress progress = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(progress.notSubscribed()).isEqualTo(1);
    assertThat(progress.duplicates()).isEqualTo(1);
    assertThat(progress.succeeded()).isEqualTo(1);
    assertThat(bed.records().ofCustomer(gone.key())).extracting(MeteringRecordView::status)
        .containsExactly(RecordStatus.CUSTOMER_NOT_SUBSCRIBED);
    assertThat(bed.records().ofCustomer(meteredElsewhere.key()))
        .extracting(MeteringRecordView::status).containsExactly(RecordStatus.DUPLICATE_RECORD);
    // `gone` has no license row and an ACTIVE link: the product holds it subscribed, so AWS's
    // CustomerNotSubscribed is a mismatch, alerted and recorded.
    assertThat(bed.alerts).containsExactly("DuplicateRecord=1",
        BatchMeterUsageSender.MISMATCH_ALERT + "=1");
    assertThat(bed.records().ofCustomer(gone.key())).extracting(MeteringRecordView::mismatch)
        .containsExactly("LinkActive");
    // Final answers are never sent again.
    bed.sender().sendHour(hour, NO_HEARTBEAT);
    assertThat(batchCalls()).hasSize(2);
  }

  @Test
  void aTimestampOutsideAwsWindowFailsTheHourAtOnceAndAlerts() {
    Instant hour = MeteringTestBed.lastHour().minus(Duration.ofHours(2));
    List<Customer> customers = bed.customers(30, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.setTimestampWindow(Duration.ofHours(1));

    SendProgress progress = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(batchCalls()).hasSize(1);
    assertThat(progress.failed()).isEqualTo(30);
    assertThat(recordsOf(customers)).extracting(MeteringRecordView::status,
            MeteringRecordView::failure)
        .containsOnly(tuple(RecordStatus.FAILED, "TimestampOutOfBounds"));
    assertThat(bed.alerts).containsExactly("TimestampOutOfBounds=30");
  }

  @Test
  void aDimensionNotInTheListingFailsForGoodWhileTheOthersAreSent() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.customers(3, hour);
    bed.standIn.setAllowedDimensions(Set.of("api_calls"));
    bed.ledger(List.of("api_calls", "retired_dimension")).prepareHour(hour);

    SendProgress progress = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(progress.succeeded()).isEqualTo(3);
    assertThat(progress.failed()).isEqualTo(3);
    assertThat(recordsOf(customers))
        .extracting(MeteringRecordView::dimension, MeteringRecordView::status)
        .containsOnly(tuple("api_calls", RecordStatus.SUCCESS),
            tuple("retired_dimension", RecordStatus.FAILED));
    assertThat(bed.alerts).containsExactly("InvalidUsageDimension=3");
  }

  @Test
  void aCustomerAwsDoesNotKnowIsIsolatedAndTheRestOfItsCallGetsThrough() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = new ArrayList<>(bed.customers(9, hour));
    Customer unknown = bed.customer(false, hour);
    bed.standIn.refuseRecordsOf(unknown.account(), "InvalidCustomerIdentifierException");
    customers.add(unknown);
    bed.ledger(List.of("api_calls")).prepareHour(hour);

    SendProgress progress = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(progress.succeeded()).isEqualTo(9);
    assertThat(progress.failed()).isEqualTo(1);
    assertThat(bed.records().ofCustomer(unknown.key()))
        .extracting(MeteringRecordView::failure).containsExactly("InvalidCustomer");
    assertThat(bed.alerts).containsExactly("InvalidCustomer=1");
  }

  @Test
  void anUnknownProductCodeStopsTheActivityForGoodAndKeepsTheRecords() {
    Instant hour = MeteringTestBed.lastHour();
    bed.customers(2, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.failNext("BatchMeterUsage", "InvalidProductCodeException", 1);

    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class,
        () -> bed.sender().sendHour(hour, NO_HEARTBEAT));

    assertThat(failure.getType()).isEqualTo(FailureTypes.AWS_BAD_REQUEST);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(bed.records().countPendingOfHour(hour)).isEqualTo(2);
    // A configuration error: one call, no splitting, alerted.
    assertThat(batchCalls()).hasSize(1);
    assertThat(bed.alerts).containsExactly("InvalidProductCode=2");
  }

  @Test
  void anAwsOutageFailsTheAttemptRetryablyAndTheRetrySendsTheSameRecords() {
    Instant hour = MeteringTestBed.lastHour();
    bed.customers(2, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.failNext("BatchMeterUsage", "InternalServiceErrorException", 1);

    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class,
        () -> bed.sender().sendHour(hour, NO_HEARTBEAT));
    SendProgress retry = bed.sender().sendHour(hour, NO_HEARTBEAT);

    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(retry.succeeded()).isEqualTo(2);
    assertThat(batchCalls().get(1).request()).isEqualTo(batchCalls().get(0).request());
  }

  /** Thrown when the simulated worker dies. */
  static final class WorkerKilled extends RuntimeException {
    WorkerKilled() {
      super("worker killed (simulated)");
    }
  }

  /** Lets {@code calls} calls through, then dies after AWS answered the last of them. */
  static final class DyingClient implements MarketplaceMeteringClient {
    private final MarketplaceMeteringClient delegate;
    private final AtomicInteger left;

    DyingClient(MarketplaceMeteringClient delegate, int calls) {
      this.delegate = delegate;
      this.left = new AtomicInteger(calls);
    }

    @Override
    public BatchMeterUsageResponse batchMeterUsage(BatchMeterUsageRequest request) {
      BatchMeterUsageResponse response = delegate.batchMeterUsage(request);
      if (left.decrementAndGet() <= 0) {
        throw new WorkerKilled();
      }
      return response;
    }

    @Override
    public String serviceName() {
      return delegate.serviceName();
    }

    @Override
    public void close() {}
  }
}
