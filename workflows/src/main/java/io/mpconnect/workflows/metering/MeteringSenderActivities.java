package io.mpconnect.workflows.metering;

import io.temporal.activity.ActivityInterface;
import java.time.Instant;

/**
 * BatchMeterUsage. Both methods page pending records out of PostgreSQL, send them in calls of up
 * to 25 records of one product, paced under the configured rate, and store each record's answer
 * before the next call; a record is marked sent only once AWS answered it. Throttled calls and
 * UnprocessedRecords are retried inside the activity with backoff; what is still pending after a
 * few passes is returned as {@link SendProgress#pending()} for the workflow to retry later. Killed
 * half-way, a retry resends only unanswered records, identical to the first time (same timestamp
 * and quantity), so AWS de-duplicates them instead of charging twice.
 *
 * <p>Fails non-retryably with {@code AwsBadRequest} or {@code AwsApiDisabled} when AWS refuses the
 * calls themselves (product code, credentials, API disabled).
 */
@ActivityInterface(namePrefix = "Metering")
public interface MeteringSenderActivities {
  /**
   * One BatchMeterUsage call: the batch's records still pending, answers stored before it returns.
   * Throttled, AWS down, or records left unprocessed: fails retryably (the answers already given
   * are stored), so the retry goes through the rate-limited queue again. A record-caused refusal
   * of a call of several records returns the two halves to send instead.
   */
  BatchResult sendBatch(SendBatch batch);

  /** Sends the hour's pending records (workflows started before sendBatch). */
  SendProgress sendHour(Instant hour);

  /** Sends a customer's pending records of any hour (final flushes started before sendBatch). */
  SendProgress sendCustomer(String productCode, String awsAccountId);
}
