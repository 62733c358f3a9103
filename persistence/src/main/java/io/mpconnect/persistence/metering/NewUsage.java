package io.mpconnect.persistence.metering;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * One usage report from the vendor's product, validated by the caller and attributed to the AWS
 * customer the organization is linked to.
 *
 * @param usageTime truncated to microseconds, PostgreSQL's precision, so a replay compares equal
 */
public record NewUsage(
    UUID organizationId,
    CustomerKey customer,
    String dimension,
    long quantity,
    Instant usageTime,
    String idempotencyKey) {

  public NewUsage {
    usageTime = usageTime.truncatedTo(ChronoUnit.MICROS);
  }

  /** Same usage as a stored row: what makes a replayed idempotency key a harmless duplicate. */
  boolean sameUsageAs(String otherDimension, long otherQuantity, Instant otherTime) {
    return dimension.equals(otherDimension)
        && quantity == otherQuantity
        && usageTime.equals(otherTime);
  }
}
