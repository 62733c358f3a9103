package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.shared.Retries;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** The durability contract of metering's activities, shared by its workflows. */
final class MeteringOptions {
  // PostgreSQL: aggregating a large hour is one statement of a few seconds; retried long enough
  // to ride out a database restart.
  static final ActivityOptions LEDGER =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(5))
          .setScheduleToCloseTimeout(Duration.ofMinutes(30))
          .setRetryOptions(
              Retries.backoff(Duration.ofMinutes(1), FailureTypes.INVALID_INPUT))
          .build();

  // BatchMeterUsage: an attempt sends for at most about 10 minutes and heartbeats around every
  // call, so a killed worker is noticed within 45 s and the retry carries on from the records'
  // state in PostgreSQL (the AWS client's own timeout is 25 s). AWS errors that no retry can
  // cure end the attempt at once; everything else is retried with backoff for up to an hour,
  // after which the workflow decides (it knows the hour's window).
  static final ActivityOptions SENDING =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(15))
          .setHeartbeatTimeout(Duration.ofSeconds(45))
          .setScheduleToCloseTimeout(Duration.ofHours(1))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(5))
                  .setBackoffCoefficient(2)
                  .setMaximumInterval(Duration.ofMinutes(2))
                  .setDoNotRetry(FailureTypes.AWS_BAD_REQUEST, FailureTypes.AWS_API_DISABLED)
                  .build())
          .build();

  // One BatchMeterUsage call per attempt (the SDK's timeout is 25 s), on the rate-limited
  // -aws-metering queue. A throttled or failed call is retried through the queue (so the retry is
  // paced too; a throttle sets its own delay, with jitter) a few times; then the pass stops and
  // the workflow pauses before the next one, which knows the hour's window.
  static final ActivityOptions BATCH =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2)
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .setMaximumAttempts(6)
                  .setDoNotRetry(FailureTypes.AWS_BAD_REQUEST, FailureTypes.AWS_API_DISABLED)
                  .build())
          .build();

  private MeteringOptions() {}
}
