package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.shared.Retries;
import io.temporal.activity.LocalActivityOptions;
import java.time.Duration;

/**
 * The subscription's short PostgreSQL steps (FindLink, SaveLicenses, ApplyTransition,
 * NotifyOwners, EnqueueConfirmation) as local activities: the worker that runs the workflow task
 * runs them, and each is one marker in the history instead of three activity events and a
 * workflow task round trip. Anything that calls AWS or may take long stays a regular activity.
 *
 * <p>Stubs come from {@code ActivityStubs.summarizedLocal} with {@link #OPTIONS}. A local
 * activity runs on the worker of the workflow's task queue (the main queue): its implementations
 * must be registered there, as WorkerApp does.
 */
final class LocalStoreSteps {
  /**
   * One attempt: a step takes milliseconds; the pool gives up connecting after 5 s, so 10 s is a
   * connection timeout and a slow query.
   */
  static final Duration ATTEMPT = Duration.ofSeconds(10);
  /**
   * Long enough to ride out a PostgreSQL restart or a managed failover (seconds to a couple of
   * minutes). A step the database has not answered by then is retried as a regular activity
   * without a deadline (see SubscriptionWorkflowImpl): a transition is delayed, never lost.
   */
  static final Duration DEADLINE = Duration.ofMinutes(10);
  /**
   * Backoffs up to this are waited in the worker, within the workflow task (the first ~15 s of an
   * outage); longer ones on a durable timer (a marker of the failed attempt and a timer each).
   */
  static final Duration LOCAL_RETRY_THRESHOLD = Duration.ofSeconds(10);

  /**
   * From 1 s, doubling, at most a minute apart (about a dozen attempts within the deadline); only
   * input that can never apply (INVALID_INPUT) is final, as for the regular activities.
   */
  static final LocalActivityOptions OPTIONS =
      LocalActivityOptions.newBuilder()
          .setStartToCloseTimeout(ATTEMPT)
          .setScheduleToCloseTimeout(DEADLINE)
          .setLocalRetryThreshold(LOCAL_RETRY_THRESHOLD)
          .setRetryOptions(Retries.backoff(Duration.ofMinutes(1), FailureTypes.INVALID_INPUT))
          .build();

  private LocalStoreSteps() {}
}
