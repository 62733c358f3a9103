package io.mpconnect.persistence.metering;

import java.time.Instant;

/**
 * A metering record still to be sent: exactly what goes into BatchMeterUsage. The customer is
 * always named by CustomerAWSAccountId (AWS deprecated CustomerIdentifier for every listing).
 *
 * @param licenseArn the LicenseArn the record bills (AWS's current model), or null: a legacy
 *     listing's record, sent with the product code and account only
 */
public record PendingRecord(
    long id,
    String productCode,
    String awsAccountId,
    String licenseArn,
    String dimension,
    Instant usageHour,
    long quantity,
    int attempts) {}
