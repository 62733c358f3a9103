package io.mpconnect.persistence.metering;

import java.time.Instant;

/**
 * A metering record still to be sent: exactly what goes into BatchMeterUsage.
 *
 * @param customerIdentifier AWS's CustomerIdentifier, or null: then the record names
 *     CustomerAWSAccountId
 */
public record PendingRecord(
    long id,
    String productCode,
    String awsAccountId,
    String customerIdentifier,
    String dimension,
    Instant usageHour,
    long quantity,
    int attempts) {

  /** The customer as the AWS record names it. */
  public String awsCustomer() {
    return customerIdentifier != null ? customerIdentifier : awsAccountId;
  }
}
