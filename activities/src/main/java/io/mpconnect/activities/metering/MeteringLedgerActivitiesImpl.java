package io.mpconnect.activities.metering;

import io.mpconnect.config.MeteringSettings;
import io.mpconnect.persistence.MarketplaceCustomer;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.metering.Aggregation;
import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.HourCounts;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.MeteringRunRepository;
import io.mpconnect.persistence.metering.MeteringRecordRepository.Cursor;
import io.mpconnect.persistence.metering.Origin;
import io.mpconnect.persistence.metering.PendingKey;
import io.mpconnect.persistence.metering.PendingRecord;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.persistence.metering.RunStatus;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.metering.BatchCursor;
import io.mpconnect.workflows.metering.BatchPage;
import io.mpconnect.workflows.metering.DueHours;
import io.mpconnect.workflows.metering.FlushPlan;
import io.mpconnect.workflows.metering.HourPlan;
import io.mpconnect.workflows.metering.MeteringIds;
import io.mpconnect.workflows.metering.MeteringLedgerActivities;
import io.mpconnect.workflows.metering.MeteringRunResult;
import io.mpconnect.workflows.metering.RunFinish;
import io.mpconnect.workflows.metering.RunOutcome;
import io.mpconnect.workflows.metering.SendBatch;
import io.mpconnect.workflows.metering.SendScope;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Metering's PostgreSQL side: due hours, aggregation, outcomes. */
public class MeteringLedgerActivitiesImpl implements MeteringLedgerActivities {
  /** An hour is (re)started only while this much of its window remains. */
  static final Duration START_MARGIN = Duration.ofMinutes(30);
  /** A final flush keeps trying this long after unsubscribe-pending (AWS allows about 1 h). */
  static final Duration FLUSH_TIME = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(MeteringLedgerActivitiesImpl.class);

  private final MeteringRecordRepository records;
  private final MeteringRunRepository runs;
  private final MarketplaceCustomerRepository customers;
  private final String productCode;
  private final MeteringSettings settings;
  private final MeteringMetrics metrics;
  private final Clock clock;

  public MeteringLedgerActivitiesImpl(
      Jdbi jdbi,
      String productCode,
      MeteringSettings settings,
      MeteringMetrics metrics,
      Clock clock) {
    this.records = new MeteringRecordRepository(jdbi);
    this.runs = new MeteringRunRepository(jdbi);
    this.customers = new MarketplaceCustomerRepository(jdbi);
    this.productCode = productCode;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The last hour that is complete at {@code now}, after the grace period. */
  public static Instant lastCompleteHour(Instant now, Duration grace) {
    return now.minus(grace).truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
  }

  /** The oldest hour still worth starting at {@code now}. */
  public static Instant oldestStartableHour(Instant now, Duration window) {
    Instant earliest = now.minus(window).plus(START_MARGIN);
    Instant hour = earliest.truncatedTo(ChronoUnit.HOURS);
    return hour.equals(earliest) ? hour : hour.plus(Duration.ofHours(1));
  }

  @Override
  public DueHours dueHours(Instant now) {
    List<Instant> expired = new ArrayList<>();
    for (Instant hour : runs.overdue(now.minus(settings.window()))) {
      List<Long> failed = records.failPending(hour, null, "WindowExpired");
      finish(hour, RunStatus.EXPIRED, 0, 0,
          "the metering window closed with " + failed.size() + " records unsent");
      alertExpired(hour, failed.size());
      expired.add(hour);
    }
    Instant latest = lastCompleteHour(now, settings.hourGrace());
    Instant oldest = oldestStartableHour(now, settings.window());
    List<Instant> hours = latest.isBefore(oldest) ? List.of() : runs.dueHours(oldest, latest);
    if (hours.size() > 1) {
      log.info("metering catches up on {} hours: {} to {}", hours.size(), hours.get(0),
          hours.get(hours.size() - 1));
    }
    return new DueHours(hours, expired);
  }

  @Override
  public HourPlan prepareHour(Instant hour) {
    if (!MeteringIds.isHour(hour)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "not the start of an hour: " + hour, FailureTypes.INVALID_INPUT);
    }
    runs.start(hour);
    Aggregation aggregation =
        records.aggregate(hour, Origin.HOURLY, productCode, settings.dimensions(), null);
    alertOversized(aggregation);
    HourCounts counts = records.countsOfHour(hour);
    log.info("metering {}: {} records created ({} zero, from {} usage reports), {} pending",
        hour, aggregation.records() + aggregation.zeroRecords(), aggregation.zeroRecords(),
        aggregation.usageClaimed(), counts.pending());
    return new HourPlan(
        hour,
        aggregation.records() + aggregation.zeroRecords(),
        aggregation.zeroRecords(),
        aggregation.usageClaimed(),
        counts.total(),
        counts.pending(),
        hour.plus(settings.window()));
  }

  @Override
  public MeteringRunResult finishHour(RunFinish finish) {
    Instant hour = finish.hour();
    if (finish.outcome() == RunOutcome.EXPIRED) {
      alertExpired(hour, records.failPending(hour, null, "WindowExpired").size());
    }
    HourCounts counts = records.countsOfHour(hour);
    RunStatus status =
        switch (finish.outcome()) {
          // Records created meanwhile (a final flush of an earlier hour) make it due again.
          case COMPLETED -> counts.pending() == 0 ? RunStatus.COMPLETED : RunStatus.FAILED;
          case FAILED -> RunStatus.FAILED;
          case EXPIRED -> RunStatus.EXPIRED;
        };
    finish(hour, status, finish.calls(), finish.throttles(), finish.error());
    log.info(
        "metering {} {}: {} records, {} succeeded, {} not subscribed, {} duplicate, {} failed,"
            + " {} pending; {} calls, {} throttled",
        hour, status, counts.total(), counts.succeeded(), counts.notSubscribed(),
        counts.duplicates(), counts.failed(), counts.pending(), finish.calls(),
        finish.throttles());
    return new MeteringRunResult(
        hour,
        status == RunStatus.FAILED && finish.outcome() == RunOutcome.COMPLETED
            ? RunOutcome.FAILED
            : finish.outcome(),
        counts.total(),
        counts.succeeded(),
        counts.notSubscribed(),
        counts.duplicates(),
        counts.failed(),
        counts.pending(),
        finish.calls(),
        finish.throttles(),
        finish.error());
  }

  @Override
  public FlushPlan prepareFinalFlush(FinalFlushRequest request) {
    if (request == null || request.productCode() == null || request.customerKey() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a final flush names the product and the customer", FailureTypes.INVALID_INPUT);
    }
    Instant now = clock.instant();
    Instant requested = request.requestedAt() == null ? now : request.requestedAt();
    Instant giveUpAt = requested.plus(FLUSH_TIME);
    if (giveUpAt.isBefore(now.plus(Duration.ofMinutes(10)))) {
      giveUpAt = now.plus(Duration.ofMinutes(10));
    }
    String account = request.awsAccountId();
    if (account == null) {
      String identifier =
          request.customerIdentifier() != null ? request.customerIdentifier() : request.customerKey();
      account =
          customers
              .findByCustomerIdentifier(request.productCode(), identifier)
              .map(MarketplaceCustomer::awsAccountId)
              .orElse(null);
    }
    if (account == null) {
      return new FlushPlan(request.productCode(), null, 0, 0, giveUpAt);
    }
    CustomerKey customer = new CustomerKey(request.productCode(), account);
    Aggregation aggregation =
        records.aggregateCustomer(
            customer,
            oldestStartableHour(now, settings.window()),
            now.truncatedTo(ChronoUnit.HOURS),
            settings.dimensions());
    alertOversized(aggregation);
    int pending = records.countPendingOfCustomer(customer);
    log.info("final flush of {}: {} records created from {} usage reports, {} pending",
        request.customerKey(), aggregation.records() + aggregation.zeroRecords(),
        aggregation.usageClaimed(), pending);
    return new FlushPlan(
        request.productCode(), account, aggregation.records() + aggregation.zeroRecords(),
        pending, giveUpAt);
  }

  @Override
  public BatchPage planBatches(
      SendScope scope, BatchCursor after, BatchCursor until, int maxBatches) {
    Instant hour = scope.hour();
    CustomerKey customer = hour == null ? customerOf(scope) : null;
    int revoked = alertRevoked(scope, records.failRevoked(hour, customer));
    int limit = maxBatches * BatchMeterUsageSender.MAX_RECORDS_PER_CALL;
    List<PendingKey> keys =
        records.pendingKeys(hour, customer, cursor(after), until == null ? null : cursor(until),
            limit);
    List<SendBatch> batches = cut(keys, scope);
    if (until != null || keys.size() < limit) {
      return new BatchPage(batches, null, revoked);
    }
    // A full page may go on in the next one: a short last call is left to it, so calls stay full.
    SendBatch last = batches.get(batches.size() - 1);
    if (last.records() < BatchMeterUsageSender.MAX_RECORDS_PER_CALL && batches.size() > 1) {
      batches.remove(batches.size() - 1);
      last = batches.get(batches.size() - 1);
    }
    return new BatchPage(
        batches, new BatchCursor(last.productCode(), last.dimension(), last.toId()), revoked);
  }

  @Override
  public List<BatchCursor> planPages(SendScope scope, int batchesPerPage) {
    Instant hour = scope.hour();
    CustomerKey customer = hour == null ? customerOf(scope) : null;
    List<BatchCursor> starts = new ArrayList<>(List.of(BatchCursor.START));
    int inPage = 0;
    int callRecords = 0;
    PendingKey previous = null;
    Cursor after = Cursor.START;
    // The same cuts as cut(), over all pending records, a chunk of keys at a time.
    for (List<PendingKey> chunk; !(chunk = records.pendingKeys(hour, customer, after, null,
        PAGE_PLAN_CHUNK)).isEmpty(); ) {
      for (PendingKey key : chunk) {
        boolean newCall = previous == null
            || callRecords == BatchMeterUsageSender.MAX_RECORDS_PER_CALL
            || !key.productCode().equals(previous.productCode())
            || !key.dimension().equals(previous.dimension());
        if (newCall && previous != null && ++inPage == batchesPerPage) {
          starts.add(new BatchCursor(previous.productCode(), previous.dimension(), previous.id()));
          inPage = 0;
        }
        callRecords = newCall ? 1 : callRecords + 1;
        previous = key;
      }
      after = new Cursor(previous.productCode(), previous.dimension(), previous.id());
    }
    return starts;
  }

  /** Pending keys read at once while planning pages. */
  static final int PAGE_PLAN_CHUNK = 10_000;

  /** Calls of up to 25 records of one product and dimension, in the keys' order. */
  private static List<SendBatch> cut(List<PendingKey> keys, SendScope scope) {
    List<SendBatch> batches = new ArrayList<>();
    int first = 0;
    for (int i = 1; i <= keys.size(); i++) {
      boolean cut =
          i == keys.size()
              || i - first == BatchMeterUsageSender.MAX_RECORDS_PER_CALL
              || !keys.get(i).productCode().equals(keys.get(first).productCode())
              || !keys.get(i).dimension().equals(keys.get(first).dimension());
      if (cut) {
        PendingKey from = keys.get(first);
        batches.add(new SendBatch(from.productCode(), from.dimension(), scope.hour(),
            scope.hourly() ? null : scope.awsAccountId(), from.id(), keys.get(i - 1).id(),
            i - first));
        first = i;
      }
    }
    return batches;
  }

  private static Cursor cursor(BatchCursor cursor) {
    return new Cursor(cursor.productCode(), cursor.dimension(), cursor.id());
  }

  @Override
  public int countPending(SendScope scope) {
    return scope.hourly()
        ? records.countPendingOfHour(scope.hour())
        : records.countPendingOfCustomer(customerOf(scope));
  }

  private static CustomerKey customerOf(SendScope scope) {
    if (scope.productCode() == null || scope.awsAccountId() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a send scope names an hour, or a product and an account: " + scope,
          FailureTypes.INVALID_INPUT);
    }
    return new CustomerKey(scope.productCode(), scope.awsAccountId());
  }

  /** Usage accepted during a final hour whose license was revoked before it could be sent. */
  private int alertRevoked(SendScope scope, List<PendingRecord> failed) {
    if (failed.isEmpty()) {
      return 0;
    }
    long quantity = failed.stream().mapToLong(PendingRecord::quantity).sum();
    metrics.records(RecordStatus.FAILED.name(), failed.size());
    metrics.alert("LicenseRevoked", failed.size());
    log.error("ALERT metering {}: {} records (quantity {}) not sent: their license was revoked"
        + " (License Deprovisioned or unsubscribe-success) before they could be; AWS accepts no"
        + " usage for it any more", scope.describe(), failed.size(), quantity);
    return failed.size();
  }

  private void finish(Instant hour, RunStatus status, int calls, int throttles, String error) {
    runs.finish(hour, status, records.countsOfHour(hour), calls, throttles, error);
  }

  private void alertOversized(Aggregation aggregation) {
    if (aggregation.oversized() > 0) {
      metrics.records(RecordStatus.FAILED.name(), aggregation.oversized());
      metrics.alert("QuantityOutOfRange", aggregation.oversized());
      log.error("ALERT metering: {} records exceed AWS's quantity limit of 2^31-1 for one hour;"
          + " not sent, see the admin view", aggregation.oversized());
    }
  }

  private void alertExpired(Instant hour, int count) {
    if (count > 0) {
      metrics.records(RecordStatus.FAILED.name(), count);
      metrics.alert("WindowExpired", count);
      log.error("ALERT metering {}: {} records still unsent when the metering window closed;"
          + " reconcile them by hand (see the admin view)", hour, count);
    }
  }
}
