package io.mpconnect.worker.events;

import io.mpconnect.config.Env;
import java.util.Set;

/**
 * The lifecycle event intake's configuration: SQS_QUEUE_URL (unset: no intake), the SDK's
 * AWS_ENDPOINT_URL_SQS, SQS_WAIT_TIME_SECONDS (long polling, 1..20, default 20),
 * SQS_MAX_DELIVERY_ATTEMPTS (how often Temporal may refuse an event for good before it is parked,
 * default 5), and the vendor's MARKETPLACE_PRODUCT_CODE: events of any other product are parked.
 */
public record LifecycleEventSettings(
    String queueUrl, int waitTimeSeconds, int maxDeliveryAttempts, Set<String> productCodes) {

  public LifecycleEventSettings {
    if (waitTimeSeconds < 0 || waitTimeSeconds > 20) {
      throw new Env.ConfigException("SQS_WAIT_TIME_SECONDS must be between 0 and 20");
    }
    if (maxDeliveryAttempts < 1) {
      throw new Env.ConfigException("SQS_MAX_DELIVERY_ATTEMPTS must be at least 1");
    }
  }

  /** Null when SQS_QUEUE_URL is unset. */
  public static LifecycleEventSettings from(Env env) {
    String queueUrl = env.get("SQS_QUEUE_URL");
    if (queueUrl == null) {
      return null;
    }
    return new LifecycleEventSettings(
        queueUrl,
        env.getInt("SQS_WAIT_TIME_SECONDS", 20),
        env.getInt("SQS_MAX_DELIVERY_ATTEMPTS", 5),
        Set.of(env.required("MARKETPLACE_PRODUCT_CODE")));
  }
}
