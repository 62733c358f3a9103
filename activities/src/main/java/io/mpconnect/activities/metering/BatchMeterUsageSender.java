package io.mpconnect.activities.metering;

import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.MeteringRecordRepository.Cursor;
import io.mpconnect.persistence.metering.PendingRecord;
import io.mpconnect.persistence.metering.RecordOutcome;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.metering.SendProgress;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageRequest;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageResponse;
import software.amazon.awssdk.services.marketplacemetering.model.DisabledApiException;
import software.amazon.awssdk.services.marketplacemetering.model.InternalServiceErrorException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidCustomerIdentifierException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidProductCodeException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidTagException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidUsageAllocationsException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidUsageDimensionException;
import software.amazon.awssdk.services.marketplacemetering.model.ThrottlingException;
import software.amazon.awssdk.services.marketplacemetering.model.TimestampOutOfBoundsException;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecord;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecordResult;

/**
 * Sends pending metering records with BatchMeterUsage: pages them out of PostgreSQL 25 at a time
 * (never more in memory), one product and dimension per call, paced, and stores every record's
 * answer before the next call.
 *
 * <ul>
 *   <li>Success, CustomerNotSubscribed, DuplicateRecord: final, stored with AWS's answer.
 *   <li>UnprocessedRecords, an answer missing a record, a throttled call: the records stay
 *       PENDING and are sent again in a later pass (throttled calls after a backoff).
 *   <li>TimestampOutOfBounds: the whole hour is out of AWS's window, its records fail for good.
 *       InvalidUsageDimension: the dimension's records of the hour fail for good. A customer or
 *       validation error: the batch is split until the one bad record is found and failed, so it
 *       never blocks the others. All of these are alerted.
 *   <li>InvalidProductCode, DisabledApi, other refusals of the call itself: the activity fails
 *       non-retryably, the records stay PENDING.
 *   <li>AWS 5xx and network errors: the activity fails retryably, the records stay PENDING; its
 *       retry resends them identically and AWS de-duplicates whatever it had already metered.
 * </ul>
 */
public final class BatchMeterUsageSender {
  public static final int MAX_RECORDS_PER_CALL = 25;
  /** Consecutive throttles of one call before the pass gives up and leaves it to a later one. */
  static final int MAX_THROTTLES_PER_CALL = 8;
  /** Passes over the pending records before returning what is left to the workflow. */
  static final int MAX_PASSES = 3;

  private static final Logger log = LoggerFactory.getLogger(BatchMeterUsageSender.class);

  /** What to send: the pending records of an hour, or of a customer. */
  private interface Scope {
    List<PendingRecord> page(Cursor after);

    Cursor after(PendingRecord last);

    boolean sameCall(PendingRecord first, PendingRecord other);

    int pending();

    String name();
  }

  /** Thrown out of a pass when a call stays throttled: retry the pass later. */
  private static final class StillThrottled extends Exception {
    StillThrottled() {
      super(null, null, false, false);
    }
  }

  private final MarketplaceMeteringClient client;
  private final MeteringRecordRepository records;
  private final CallPacer pacer;
  private final MeteringMetrics metrics;
  private final Duration budget;
  private final Duration firstBackoff;

  /**
   * @param budget how long one activity may send before it returns (heartbeats keep it alive)
   * @param firstBackoff the pause after a first throttle or pass with leftovers; doubles each time
   */
  public BatchMeterUsageSender(
      MarketplaceMeteringClient client,
      MeteringRecordRepository records,
      CallPacer pacer,
      MeteringMetrics metrics,
      Duration budget,
      Duration firstBackoff) {
    this.client = client;
    this.records = records;
    this.pacer = pacer;
    this.metrics = metrics;
    this.budget = budget;
    this.firstBackoff = firstBackoff;
  }

  public SendProgress sendHour(Instant hour, Runnable heartbeat) {
    return send(
        new Scope() {
          @Override
          public List<PendingRecord> page(Cursor after) {
            return records.pendingOfHour(hour, after, MAX_RECORDS_PER_CALL);
          }

          @Override
          public Cursor after(PendingRecord last) {
            return new Cursor(last.productCode(), last.dimension(), last.id());
          }

          @Override
          public boolean sameCall(PendingRecord first, PendingRecord other) {
            return first.productCode().equals(other.productCode())
                && first.dimension().equals(other.dimension());
          }

          @Override
          public int pending() {
            return records.countPendingOfHour(hour);
          }

          @Override
          public String name() {
            return "hour " + hour;
          }
        },
        heartbeat);
  }

  public SendProgress sendCustomer(CustomerKey customer, Runnable heartbeat) {
    return send(
        new Scope() {
          @Override
          public List<PendingRecord> page(Cursor after) {
            return records.pendingOfCustomer(customer, after, MAX_RECORDS_PER_CALL);
          }

          @Override
          public Cursor after(PendingRecord last) {
            return new Cursor(last.dimension(), last.usageHour().toString(), last.id());
          }

          @Override
          public boolean sameCall(PendingRecord first, PendingRecord other) {
            return first.dimension().equals(other.dimension());
          }

          @Override
          public int pending() {
            return records.countPendingOfCustomer(customer);
          }

          @Override
          public String name() {
            return "customer " + customer.awsAccountId();
          }
        },
        heartbeat);
  }

  private SendProgress send(Scope scope, Runnable heartbeat) {
    long deadline = System.nanoTime() + budget.toNanos();
    Tally tally = new Tally();
    try {
      for (int pass = 1; ; pass++) {
        boolean throttledOut = false;
        Cursor cursor = Cursor.START;
        while (true) {
          heartbeat.run();
          List<PendingRecord> page = scope.page(cursor);
          if (page.isEmpty()) {
            break;
          }
          List<PendingRecord> call = new ArrayList<>();
          for (PendingRecord record : page) {
            if (!scope.sameCall(page.get(0), record)) {
              break;
            }
            call.add(record);
          }
          cursor = scope.after(call.get(call.size() - 1));
          try {
            sendCall(call, tally, heartbeat);
          } catch (StillThrottled e) {
            throttledOut = true;
            break;
          }
          if (System.nanoTime() > deadline) {
            return tally.progress(scope.pending(), true);
          }
        }
        int pending = scope.pending();
        if (pending == 0 || throttledOut || pass == MAX_PASSES) {
          if (pending > 0) {
            log.info("metering {}: {} records left unsent after {} passes", scope.name(), pending,
                pass);
          }
          return tally.progress(pending, false);
        }
        sleep(firstBackoff.multipliedBy(1L << (pass - 1)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while metering", "Interrupted");
    }
  }

  /** One call, retried while throttled; the answer is stored before it returns. */
  private void sendCall(List<PendingRecord> call, Tally tally, Runnable heartbeat)
      throws InterruptedException, StillThrottled {
    for (int throttles = 0; ; ) {
      pacer.acquire();
      heartbeat.run();
      tally.calls++;
      BatchMeterUsageResponse response;
      try {
        response =
            client.batchMeterUsage(
                BatchMeterUsageRequest.builder()
                    .productCode(call.get(0).productCode())
                    .usageRecords(call.stream().map(BatchMeterUsageSender::usageRecord).toList())
                    .build());
      } catch (ThrottlingException e) {
        metrics.call("ThrottlingException", call.size());
        pacer.throttled();
        tally.throttles++;
        if (++throttles >= MAX_THROTTLES_PER_CALL) {
          records.recordAttempt(ids(call));
          throw new StillThrottled();
        }
        sleep(jitter(firstBackoff.multipliedBy(1L << Math.min(throttles - 1, 5))));
        continue;
      } catch (AwsServiceException | SdkClientException e) {
        metrics.call(e.getClass().getSimpleName(), call.size());
        refused(call, e, tally, heartbeat);
        return;
      }
      metrics.call("Success", call.size());
      pacer.accepted();
      store(call, response, tally);
      return;
    }
  }

  private void store(List<PendingRecord> call, BatchMeterUsageResponse response, Tally tally) {
    Map<String, PendingRecord> byKey = new HashMap<>();
    for (PendingRecord record : call) {
      byKey.put(key(record), record);
    }
    List<RecordOutcome> outcomes = new ArrayList<>();
    Set<Long> answered = new HashSet<>();
    for (UsageRecordResult result : response.results()) {
      PendingRecord record = byKey.get(key(result.usageRecord()));
      if (record == null || !answered.add(record.id())) {
        log.warn("BatchMeterUsage answered a record that was not sent; ignored");
        continue;
      }
      switch (result.status()) {
        case SUCCESS -> outcomes.add(RecordOutcome.success(record.id(), result.meteringRecordId()));
        case CUSTOMER_NOT_SUBSCRIBED -> outcomes.add(
            new RecordOutcome(record.id(), RecordStatus.CUSTOMER_NOT_SUBSCRIBED, null, null));
        case DUPLICATE_RECORD -> outcomes.add(
            new RecordOutcome(record.id(), RecordStatus.DUPLICATE_RECORD, null, null));
        default -> answered.remove(record.id()); // unknown to this SDK: ask again later
      }
    }
    List<Long> unprocessed = new ArrayList<>();
    for (PendingRecord record : call) {
      if (!answered.contains(record.id())) {
        unprocessed.add(record.id());
      }
    }
    int handedBack = response.unprocessedRecords().size();
    if (unprocessed.size() != handedBack) {
      log.warn("BatchMeterUsage left {} records unanswered, {} of them as UnprocessedRecords",
          unprocessed.size(), handedBack);
    }
    List<RecordOutcome> applied = records.recordOutcomes(outcomes, unprocessed);
    tally.unprocessed += unprocessed.size();
    metrics.unprocessed(unprocessed.size());
    for (RecordOutcome outcome : applied) {
      switch (outcome.status()) {
        case SUCCESS -> tally.succeeded++;
        case CUSTOMER_NOT_SUBSCRIBED -> tally.notSubscribed++;
        case DUPLICATE_RECORD -> tally.duplicates++;
        default -> tally.failed++;
      }
      metrics.records(outcome.status().name(), 1);
    }
    long duplicates =
        applied.stream().filter(o -> o.status() == RecordStatus.DUPLICATE_RECORD).count();
    if (duplicates > 0) {
      // AWS holds another quantity for these customer-hours; ours was not billed.
      metrics.alert("DuplicateRecord", (int) duplicates);
      log.error("ALERT metering: {} records answered DuplicateRecord (another quantity stands)",
          duplicates);
    }
  }

  /** AWS refused the call as a whole. */
  private void refused(List<PendingRecord> call, RuntimeException e, Tally tally,
      Runnable heartbeat) throws InterruptedException, StillThrottled {
    if (e instanceof TimestampOutOfBoundsException) {
      Instant hour = call.get(0).usageHour();
      if (call.stream().allMatch(r -> r.usageHour().equals(hour))) {
        // Every record of the hour carries the same Timestamp: none of them can succeed.
        failAll(records.failPending(hour, null, "TimestampOutOfBounds"), "TimestampOutOfBounds",
            "hour " + hour + " is outside AWS's timestamp window", tally);
      } else {
        split(call, tally, heartbeat);
      }
    } else if (e instanceof InvalidUsageDimensionException) {
      Instant hour = call.get(0).usageHour();
      String dimension = call.get(0).dimension();
      if (call.stream().allMatch(r -> r.usageHour().equals(hour))) {
        failAll(records.failPending(hour, dimension, "InvalidUsageDimension"),
            "InvalidUsageDimension", "dimension " + dimension + " is not in the listing", tally);
      } else {
        failAll(failEach(call, "InvalidUsageDimension"), "InvalidUsageDimension",
            "dimension " + dimension + " is not in the listing", tally);
      }
    } else if (e instanceof InvalidCustomerIdentifierException
        || e instanceof InvalidUsageAllocationsException
        || e instanceof InvalidTagException
        || (e instanceof AwsServiceException aws && isValidation(aws))) {
      if (call.size() > 1) {
        split(call, tally, heartbeat);
      } else {
        String reason = e instanceof InvalidCustomerIdentifierException
            ? "InvalidCustomer"
            : errorCode(e);
        failAll(failEach(call, reason), reason, "AWS refused the record: " + message(e), tally);
      }
    } else if (e instanceof DisabledApiException) {
      records.recordAttempt(ids(call));
      throw ApplicationFailure.newNonRetryableFailure(
          "AWS says the Metering API is disabled", FailureTypes.AWS_API_DISABLED);
    } else if (e instanceof InternalServiceErrorException
        || e instanceof SdkClientException
        || (e instanceof AwsServiceException aws && aws.statusCode() >= 500)) {
      records.recordAttempt(ids(call));
      // Whether AWS metered the call is unknown: the retry sends the same records, which AWS
      // de-duplicates if it did.
      throw ApplicationFailure.newFailure(
          "AWS is unavailable: " + e.getClass().getSimpleName(), "AwsUnavailable");
    } else {
      records.recordAttempt(ids(call));
      String what = e instanceof InvalidProductCodeException ? "the product code" : errorCode(e);
      throw ApplicationFailure.newNonRetryableFailure(
          "AWS refused BatchMeterUsage: " + what + " (" + message(e) + ")",
          FailureTypes.AWS_BAD_REQUEST);
    }
  }

  /** Halves a refused call until the records AWS refuses are alone, so the others get through. */
  private void split(List<PendingRecord> call, Tally tally, Runnable heartbeat)
      throws InterruptedException, StillThrottled {
    int half = call.size() / 2;
    sendCall(List.copyOf(call.subList(0, half)), tally, heartbeat);
    sendCall(List.copyOf(call.subList(half, call.size())), tally, heartbeat);
  }

  private List<Long> failEach(List<PendingRecord> call, String reason) {
    return records
        .recordOutcomes(call.stream().map(r -> RecordOutcome.failed(r.id(), reason)).toList(),
            List.of())
        .stream()
        .map(RecordOutcome::id)
        .toList();
  }

  private void failAll(List<Long> failed, String reason, String why, Tally tally) {
    if (failed.isEmpty()) {
      return;
    }
    tally.failed += failed.size();
    metrics.records(RecordStatus.FAILED.name(), failed.size());
    metrics.alert(reason, failed.size());
    log.error("ALERT metering: {} records failed for good, {}: {}", failed.size(), reason, why);
  }

  static UsageRecord usageRecord(PendingRecord record) {
    UsageRecord.Builder builder =
        UsageRecord.builder()
            .timestamp(record.usageHour())
            .dimension(record.dimension())
            .quantity((int) record.quantity());
    if (record.customerIdentifier() != null) {
      builder.customerIdentifier(record.customerIdentifier());
    } else {
      builder.customerAWSAccountId(record.awsAccountId());
    }
    return builder.build();
  }

  private static String key(PendingRecord record) {
    return key(record.customerIdentifier(), record.awsAccountId(), record.dimension(),
        record.usageHour());
  }

  private static String key(UsageRecord record) {
    return key(record.customerIdentifier(), record.customerAWSAccountId(), record.dimension(),
        record.timestamp());
  }

  private static String key(String identifier, String account, String dimension, Instant at) {
    return (identifier != null ? "id:" + identifier : "acct:" + account)
        + "|" + dimension + "|" + (at == null ? "" : at.getEpochSecond());
  }

  private static List<Long> ids(List<PendingRecord> call) {
    return call.stream().map(PendingRecord::id).toList();
  }

  private static boolean isValidation(AwsServiceException e) {
    return e.statusCode() == 400 && "ValidationException".equals(errorCode(e));
  }

  private static String errorCode(RuntimeException e) {
    if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      return aws.awsErrorDetails().errorCode();
    }
    return e.getClass().getSimpleName();
  }

  private static String message(RuntimeException e) {
    if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
      return aws.awsErrorDetails().errorMessage();
    }
    return e.getMessage();
  }

  private static Duration jitter(Duration base) {
    long millis = base.toMillis();
    return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  private static void sleep(Duration duration) throws InterruptedException {
    if (!duration.isZero()) {
      Thread.sleep(duration.toMillis());
    }
  }

  /** Counts of one activity attempt. */
  private static final class Tally {
    int calls;
    int throttles;
    int unprocessed;
    int succeeded;
    int notSubscribed;
    int duplicates;
    int failed;

    SendProgress progress(int pending, boolean outOfTime) {
      return new SendProgress(calls, throttles, unprocessed, succeeded, notSubscribed, duplicates,
          failed, pending, outOfTime);
    }
  }
}
