package io.mpconnect.workflows.shared;

import io.temporal.common.RetryOptions;
import java.time.Duration;

/** The retry shape our activities share: from 1 s, doubling, up to a ceiling. */
public final class Retries {
  /**
   * @param maximumInterval the longest wait between attempts
   * @param nonRetryable failure types that end the activity at once (see FailureTypes)
   */
  public static RetryOptions backoff(Duration maximumInterval, String... nonRetryable) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2)
        .setMaximumInterval(maximumInterval)
        .setDoNotRetry(nonRetryable)
        .build();
  }

  private Retries() {}
}
