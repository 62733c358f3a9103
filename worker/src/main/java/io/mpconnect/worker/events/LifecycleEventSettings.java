package io.mpconnect.worker.events;

import io.mpconnect.config.Env;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Listing;
import java.util.Set;

/**
 * The lifecycle event intake's configuration: SQS_QUEUE_URL (unset: no intake), the SDK's
 * AWS_ENDPOINT_URL_SQS, SQS_WAIT_TIME_SECONDS (long polling, 1..20, default 20),
 * SQS_MAX_DELIVERY_ATTEMPTS (how often Temporal may refuse an event for good before it is parked,
 * default 5), and the vendor's listing ({@link #listing(Env)}): MARKETPLACE_PRODUCT_CODE (events
 * of any other product are parked), MARKETPLACE_PRODUCT_ID (the listing's {@code prod-...} id, to
 * match AWS's purchase agreement events; unset: those are parked as NOT_CONFIGURED) and
 * MARKETPLACE_SELLER_ACCOUNT_ID (the {@code account} EventBridge events must name; unset: not
 * checked).
 */
public record LifecycleEventSettings(
    String queueUrl, int waitTimeSeconds, int maxDeliveryAttempts, Listing listing) {

  public LifecycleEventSettings {
    if (waitTimeSeconds < 0 || waitTimeSeconds > 20) {
      throw new Env.ConfigException("SQS_WAIT_TIME_SECONDS must be between 0 and 20");
    }
    if (maxDeliveryAttempts < 1) {
      throw new Env.ConfigException("SQS_MAX_DELIVERY_ATTEMPTS must be at least 1");
    }
    if (listing == null) {
      throw new Env.ConfigException("the lifecycle event intake needs MARKETPLACE_PRODUCT_CODE");
    }
  }

  /** Only product codes (no product id, no seller account check). */
  public LifecycleEventSettings(
      String queueUrl, int waitTimeSeconds, int maxDeliveryAttempts, Set<String> productCodes) {
    this(queueUrl, waitTimeSeconds, maxDeliveryAttempts, new Listing(productCodes));
  }

  public Set<String> productCodes() {
    return listing.productCodes();
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
        listing(env));
  }

  /**
   * The listing lifecycle events are matched against: MARKETPLACE_PRODUCT_CODE (required),
   * MARKETPLACE_PRODUCT_ID and MARKETPLACE_SELLER_ACCOUNT_ID (optional).
   */
  public static Listing listing(Env env) {
    return listing(
        env.required("MARKETPLACE_PRODUCT_CODE"),
        env.get("MARKETPLACE_PRODUCT_ID"),
        env.get("MARKETPLACE_SELLER_ACCOUNT_ID"));
  }

  /** The same from the three values; a bad value is a configuration error naming its variable. */
  public static Listing listing(String productCode, String productId, String sellerAccountId) {
    if (productId != null && !productId.isBlank()
        && !productId.strip().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new Env.ConfigException(
          "MARKETPLACE_PRODUCT_ID must be the listing's product id (prod-...), got \"" + productId
              + "\"");
    }
    if (sellerAccountId != null && !sellerAccountId.isBlank()
        && !sellerAccountId.strip().matches("\\d{12}")) {
      throw new Env.ConfigException(
          "MARKETPLACE_SELLER_ACCOUNT_ID must be a 12-digit AWS account id, got \""
              + sellerAccountId + "\"");
    }
    return Listing.of(productCode, productId, sellerAccountId);
  }
}
