package io.mpconnect.activities.metering;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpconnect.activities.aws.MeteringWireExtensions;
import io.mpconnect.activities.aws.MeteringWireExtensions.RecordIdentity;
import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.MeteringMismatch;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.MeteringRecordRepository.Cursor;
import io.mpconnect.persistence.metering.PendingRecord;
import io.mpconnect.persistence.metering.RecordOutcome;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.metering.BatchResult;
import io.mpconnect.workflows.metering.SendBatch;
import io.mpconnect.workflows.metering.SendProgress;
import io.temporal.failure.ApplicationFailure;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageRequest;
import software.amazon.awssdk.services.marketplacemetering.model.ThrottlingException;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecord;

/**
 * Sends pending metering records with BatchMeterUsage: pages them out of PostgreSQL 25 at a time
 * (never more in memory), one product and dimension per call, paced, and stores every record's
 * answer before the next call.
 *
 * <p>Every record names its customer by {@code CustomerAWSAccountId}, never by the deprecated
 * {@code CustomerIdentifier}, and on AWS's current model carries the {@code LicenseArn} stored on
 * it; both are put on the wire by {@link MeteringWireExtensions} (the served SDK model has no
 * LicenseArn), which also reads AWS's raw answer (results with their LicenseArn, error types the
 * SDK model does not know, such as {@code InvalidLicenseException}).
 *
 * <ul>
 *   <li>Success, CustomerNotSubscribed, DuplicateRecord: final, stored with AWS's answer. A
 *       CustomerNotSubscribed for a record whose license the product holds usable is a mismatch:
 *       stored in metering_mismatches and alerted.
 *   <li>UnprocessedRecords, an answer missing a record, a throttled call: the records stay
 *       PENDING and are sent again in a later pass (throttled calls after a backoff).
 *   <li>TimestampOutOfBounds: the whole hour is out of AWS's window, its records fail for good.
 *       InvalidUsageDimension: the dimension's records of the hour fail for good.
 *   <li>Any other 4xx refusal of the call (InvalidLicense, InvalidCustomerIdentifier, validation,
 *       allocations, tags, and any error type this code does not know): caused by a record, so
 *       the batch is halved until the bad record is alone; it fails for good with the reason and
 *       every other record gets through. All of these are alerted.
 *   <li>Configuration errors only (InvalidProductCode, DisabledApi, credentials and access): the
 *       activity fails non-retryably, the records stay PENDING, alerted.
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

  /** The first delay after a throttled sendBatch; doubles per attempt, with jitter. */
  static final Duration BATCH_THROTTLE_DELAY = Duration.ofSeconds(1);
  /** Failure types of a sendBatch attempt that its retry cures. */
  static final String THROTTLED = "AwsThrottled";
  static final String UNPROCESSED = "AwsUnprocessed";

  /** Metric and alert reason of a CustomerNotSubscribed on a license the product holds usable. */
  public static final String MISMATCH_ALERT = "CustomerNotSubscribedOnUsableLicense";

  /**
   * Refusals that say the product's AWS configuration is wrong, never one record: they stop the
   * run (and alert) instead of splitting the batch.
   */
  static final Set<String> CONFIGURATION_ERRORS =
      Set.of(
          "InvalidProductCodeException",
          "DisabledApiException",
          "InvalidEndpointRegionException",
          "AccessDeniedException",
          "AccessDenied",
          "UnrecognizedClientException",
          "InvalidClientTokenId",
          "InvalidSignatureException",
          "SignatureDoesNotMatch",
          "IncompleteSignature",
          "MissingAuthenticationToken",
          "MissingAuthenticationTokenException",
          "ExpiredTokenException",
          "NotAuthorized");

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

  /** What one call came to. */
  private enum Called {
    /** AWS answered; its answer (or the records' failure) is stored. */
    STORED,
    /** AWS throttled the call: nothing changed, send it again later. */
    THROTTLED,
    /** AWS refused the call for one of its records: send its halves instead. */
    SPLIT
  }

  /**
   * One call to the endpoint. Throws for a configuration error (non-retryable) or when AWS is
   * unavailable (retryable); the records stay pending then.
   */
  private Called callOnce(List<PendingRecord> call, Tally tally) throws InterruptedException {
    List<RecordIdentity> identities =
        call.stream().map(r -> new RecordIdentity(r.awsAccountId(), r.licenseArn())).toList();
    List<UsageRecord> usageRecords = call.stream().map(BatchMeterUsageSender::usageRecord).toList();
    pacer.acquire();
    tally.calls++;
    MeteringWireExtensions.Call wire = MeteringWireExtensions.batchMeterUsageCall(identities);
    try {
      client.batchMeterUsage(
          BatchMeterUsageRequest.builder()
              .productCode(call.get(0).productCode())
              .usageRecords(usageRecords)
              .overrideConfiguration(wire::attach)
              .build());
    } catch (AwsServiceException | SdkClientException e) {
      String type = errorType(wire, e);
      if (e instanceof ThrottlingException || "ThrottlingException".equals(type)) {
        metrics.call("ThrottlingException", call.size());
        pacer.throttled();
        tally.throttles++;
        return Called.THROTTLED;
      }
      metrics.call(type, call.size());
      return refused(call, e, type, tally);
    }
    if (!wire.intercepted()) {
      // The records went out without their LicenseArn and the answer cannot be matched:
      // nothing is stored, the run stops (a client not built by MeteringClients.create).
      records.recordAttempt(ids(call));
      throw ApplicationFailure.newNonRetryableFailure(
          "the Marketplace Metering client lacks MeteringWireExtensions",
          FailureTypes.AWS_BAD_REQUEST);
    }
    metrics.call("Success", call.size());
    pacer.accepted();
    store(call, wire.responseBody(), tally);
    return Called.STORED;
  }

  /**
   * One call of the activities that send many (sendHour, sendCustomer): retried while throttled,
   * halved while a record is refused; the answer is stored before it returns.
   */
  private void sendCall(List<PendingRecord> call, Tally tally, Runnable heartbeat)
      throws InterruptedException, StillThrottled {
    for (int throttles = 0; ; ) {
      heartbeat.run();
      switch (callOnce(call, tally)) {
        case STORED -> {
          return;
        }
        case SPLIT -> {
          int half = call.size() / 2;
          sendCall(List.copyOf(call.subList(0, half)), tally, heartbeat);
          sendCall(List.copyOf(call.subList(half, call.size())), tally, heartbeat);
          return;
        }
        case THROTTLED -> {
          if (++throttles >= MAX_THROTTLES_PER_CALL) {
            records.recordAttempt(ids(call));
            throw new StillThrottled();
          }
          sleep(jitter(firstBackoff.multipliedBy(1L << Math.min(throttles - 1, 5))));
        }
      }
    }
  }

  /**
   * Exactly one BatchMeterUsage call (the {@code sendBatch} activity): the batch's records still
   * pending. Throttled: fails retryably with a jittered delay, so the retry goes through the
   * rate-limited queue again. Records AWS left unprocessed: their answers-so-far are stored, then
   * it fails retryably to send the rest. A record-caused refusal of several records: the halves
   * to send instead.
   *
   * @param attempt the activity's attempt (1 for the first), which sets the throttle delay
   */
  public BatchResult sendBatch(SendBatch batch, int attempt) {
    CustomerKey customer =
        batch.awsAccountId() == null ? null : new CustomerKey(batch.productCode(), batch.awsAccountId());
    List<PendingRecord> call =
        records.pendingInRange(batch.hour(), customer, batch.productCode(), batch.dimension(),
            batch.fromId(), batch.toId(), MAX_RECORDS_PER_CALL);
    if (call.isEmpty()) {
      return new BatchResult(SendProgress.NONE, List.of()); // answered by an earlier attempt
    }
    Tally tally = new Tally();
    Called called;
    try {
      called = callOnce(call, tally);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while metering", "Interrupted");
    }
    switch (called) {
      case THROTTLED -> {
        records.recordAttempt(ids(call));
        throw ApplicationFailure.newFailureWithCauseAndDelay(
            "AWS throttled BatchMeterUsage (attempt " + attempt + ")", THROTTLED, null,
            jitter(BATCH_THROTTLE_DELAY.multipliedBy(1L << Math.min(attempt - 1, 4))));
      }
      case SPLIT -> {
        int half = call.size() / 2;
        return new BatchResult(
            tally.progress(0, false),
            List.of(part(batch, call.subList(0, half)), part(batch, call.subList(half, call.size()))));
      }
      default -> {
        if (tally.unprocessed > 0) {
          throw ApplicationFailure.newFailure(
              tally.unprocessed + " of " + call.size() + " records unprocessed by AWS; sent again",
              UNPROCESSED);
        }
        return new BatchResult(tally.progress(0, false), List.of());
      }
    }
  }

  private static SendBatch part(SendBatch batch, List<PendingRecord> records) {
    return new SendBatch(batch.productCode(), batch.dimension(), batch.hour(),
        batch.awsAccountId(), records.get(0).id(), records.get(records.size() - 1).id(),
        records.size());
  }

  /** Stores AWS's raw answer (the SDK model drops each result's LicenseArn). */
  private void store(List<PendingRecord> call, JsonNode response, Tally tally) {
    Map<String, PendingRecord> byKey = new HashMap<>();
    for (PendingRecord record : call) {
      byKey.put(key(record), record);
    }
    List<RecordOutcome> outcomes = new ArrayList<>();
    Set<Long> answered = new HashSet<>();
    for (JsonNode result : response.path("Results")) {
      PendingRecord record = byKey.get(key(result.path("UsageRecord")));
      if (record == null || !answered.add(record.id())) {
        log.warn("BatchMeterUsage answered a record that was not sent; ignored");
        continue;
      }
      String status = result.path("Status").asText("");
      switch (status) {
        case "Success" -> {
          String meteringRecordId = result.path("MeteringRecordId").asText(null);
          if (meteringRecordId == null || meteringRecordId.isBlank()) {
            answered.remove(record.id()); // no id to keep: ask again, AWS answers the same
          } else {
            outcomes.add(RecordOutcome.success(record.id(), meteringRecordId));
          }
        }
        case "CustomerNotSubscribed" -> outcomes.add(
            new RecordOutcome(record.id(), RecordStatus.CUSTOMER_NOT_SUBSCRIBED, null, null));
        case "DuplicateRecord" -> outcomes.add(
            new RecordOutcome(record.id(), RecordStatus.DUPLICATE_RECORD, null, null));
        default -> answered.remove(record.id()); // unknown status: ask again later
      }
    }
    List<Long> unprocessed = new ArrayList<>();
    for (PendingRecord record : call) {
      if (!answered.contains(record.id())) {
        unprocessed.add(record.id());
      }
    }
    int handedBack = response.path("UnprocessedRecords").size();
    if (unprocessed.size() != handedBack) {
      log.warn("BatchMeterUsage left {} records unanswered, {} of them as UnprocessedRecords",
          unprocessed.size(), handedBack);
    }
    List<RecordOutcome> applied = records.recordOutcomes(outcomes, unprocessed);
    tally.unprocessed += unprocessed.size();
    metrics.unprocessed(unprocessed.size());
    List<Long> notSubscribed = new ArrayList<>();
    for (RecordOutcome outcome : applied) {
      switch (outcome.status()) {
        case SUCCESS -> tally.succeeded++;
        case CUSTOMER_NOT_SUBSCRIBED -> {
          tally.notSubscribed++;
          notSubscribed.add(outcome.id());
        }
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
    reconcile(notSubscribed);
  }

  /**
   * CustomerNotSubscribed is final, but when the product holds the record's license usable for
   * that hour, AWS and the product disagree: stored as a mismatch and alerted, never dropped.
   */
  private void reconcile(List<Long> notSubscribed) {
    List<MeteringMismatch> mismatches = records.recordMismatches(notSubscribed);
    if (mismatches.isEmpty()) {
      return;
    }
    metrics.alert(MISMATCH_ALERT, mismatches.size());
    String which =
        mismatches.stream()
            .map(m -> m.awsAccountId() + "/" + (m.licenseArn() == null ? "-" : m.licenseArn())
                + "/" + m.dimension() + "@" + m.usageHour())
            .limit(10)
            .collect(Collectors.joining(", "));
    log.error("ALERT metering: AWS answered CustomerNotSubscribed for {} records whose license the"
        + " product holds usable ({}{}); stored in metering_mismatches, see the admin view",
        mismatches.size(), which, mismatches.size() > 10 ? ", ..." : "");
  }

  /** AWS refused the call as a whole. */
  private Called refused(List<PendingRecord> call, RuntimeException e, String type, Tally tally) {
    int status = e instanceof AwsServiceException aws ? aws.statusCode() : 0;
    if ("TimestampOutOfBoundsException".equals(type)) {
      Instant hour = call.get(0).usageHour();
      if (call.stream().allMatch(r -> r.usageHour().equals(hour))) {
        // Every record of the hour carries the same Timestamp: none of them can succeed.
        failAll(records.failPending(hour, null, "TimestampOutOfBounds"), "TimestampOutOfBounds",
            "hour " + hour + " is outside AWS's timestamp window", tally);
      } else {
        return Called.SPLIT;
      }
    } else if ("InvalidUsageDimensionException".equals(type)) {
      Instant hour = call.get(0).usageHour();
      String dimension = call.get(0).dimension();
      if (call.stream().allMatch(r -> r.usageHour().equals(hour))) {
        failAll(records.failPending(hour, dimension, "InvalidUsageDimension"),
            "InvalidUsageDimension", "dimension " + dimension + " is not in the listing", tally);
      } else {
        failAll(failEach(call, "InvalidUsageDimension"), "InvalidUsageDimension",
            "dimension " + dimension + " is not in the listing", tally);
      }
    } else if (CONFIGURATION_ERRORS.contains(type) || status == 401 || status == 403) {
      records.recordAttempt(ids(call));
      String reason = type.endsWith("Exception") ? type.substring(0, type.length() - 9) : type;
      metrics.alert(reason, call.size());
      log.error("ALERT metering: AWS refused BatchMeterUsage for a configuration error, {}: {};"
          + " the run stops, its records stay pending", type, message(e));
      if ("DisabledApiException".equals(type)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "AWS says the Metering API is disabled", FailureTypes.AWS_API_DISABLED);
      }
      String what = "InvalidProductCodeException".equals(type) ? "the product code" : type;
      throw ApplicationFailure.newNonRetryableFailure(
          "AWS refused BatchMeterUsage: " + what + " (" + message(e) + ")",
          FailureTypes.AWS_BAD_REQUEST);
    } else if (status >= 400 && status < 500) {
      // Caused by a record (InvalidLicense, InvalidCustomerIdentifier, validation, allocations,
      // tags, or a type this code does not know): isolate it so the others get through.
      if (call.size() > 1) {
        return Called.SPLIT;
      } else {
        String reason = recordFailure(type);
        failAll(failEach(call, reason), reason,
            "AWS refused the record (" + type + "): " + message(e), tally);
      }
    } else {
      // 5xx, network errors, or an answer without a status: whether AWS metered the call is
      // unknown; the retry sends the same records, which AWS de-duplicates if it did.
      records.recordAttempt(ids(call));
      throw ApplicationFailure.newFailure(
          "AWS is unavailable: " + type, "AwsUnavailable");
    }
    return Called.STORED;
  }

  /** The failure stored on a record AWS refused on its own. */
  static String recordFailure(String type) {
    return switch (type) {
      case "InvalidCustomerIdentifierException" -> "InvalidCustomer";
      case "InvalidLicenseException" -> "InvalidLicense";
      default -> type;
    };
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

  /**
   * The SDK's part of a record: the customer by CustomerAWSAccountId (never CustomerIdentifier);
   * the LicenseArn is added on the wire.
   */
  static UsageRecord usageRecord(PendingRecord record) {
    return UsageRecord.builder()
        .timestamp(record.usageHour())
        .dimension(record.dimension())
        .quantity((int) record.quantity())
        .customerAWSAccountId(record.awsAccountId())
        .build();
  }

  private static String key(PendingRecord record) {
    return key(record.awsAccountId(), record.licenseArn(), record.dimension(),
        record.usageHour().getEpochSecond());
  }

  /** A raw UsageRecord as AWS echoes it in Results. */
  private static String key(JsonNode record) {
    String licenseArn = record.path("LicenseArn").asText(null);
    return key(record.path("CustomerAWSAccountId").asText(null), licenseArn,
        record.path("Dimension").asText(null), epochSecond(record.path("Timestamp")));
  }

  private static String key(String account, String licenseArn, String dimension, long at) {
    return account + "|" + (licenseArn == null ? "" : licenseArn) + "|" + dimension + "|" + at;
  }

  /** JSON 1.1 timestamps are epoch seconds (a number, maybe with a fraction). */
  private static long epochSecond(JsonNode timestamp) {
    try {
      if (timestamp.isNumber()) {
        return timestamp.decimalValue().longValue();
      }
      return new BigDecimal(timestamp.asText().trim()).longValue();
    } catch (NumberFormatException | ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }

  /** The AWS error type: read on the wire (it knows types the SDK model does not), else SDK's. */
  private static String errorType(MeteringWireExtensions.Call wire, RuntimeException e) {
    if (wire.errorType() != null) {
      return wire.errorType();
    }
    return errorCode(e);
  }

  private static List<Long> ids(List<PendingRecord> call) {
    return call.stream().map(PendingRecord::id).toList();
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
