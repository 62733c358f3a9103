package io.mpconnect.workflows.metering;

import java.time.Instant;

/**
 * Whose pending records a sending pass sends: an hour's (the hourly run) or a customer's of any
 * hour (the final flush). Exactly one of {@code hour} and {@code awsAccountId} is set.
 */
public record SendScope(Instant hour, String productCode, String awsAccountId) {
  public static SendScope ofHour(Instant hour) {
    return new SendScope(hour, null, null);
  }

  public static SendScope ofCustomer(String productCode, String awsAccountId) {
    return new SendScope(null, productCode, awsAccountId);
  }

  public boolean hourly() {
    return hour != null;
  }

  public String describe() {
    return hourly() ? "hour " + hour : "customer " + productCode + "/" + awsAccountId;
  }
}
