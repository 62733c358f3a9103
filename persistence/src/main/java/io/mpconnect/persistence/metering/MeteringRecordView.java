package io.mpconnect.persistence.metering;

import java.time.Instant;

/**
 * A metering record as support sees it.
 *
 * @param customerIdentifier set only on records sent before V7 by the deprecated
 *     CustomerIdentifier; every other record was sent by CustomerAWSAccountId
 * @param licenseArn the LicenseArn sent with the record, or null (legacy listing)
 * @param licenseKey the license (marketplace_licenses.license_key) the record bills, or null
 *     when the customer had no license row (metered the legacy way) or before V7
 * @param mismatch why the product disagrees with AWS's answer (metering_mismatches.reason), or
 *     null
 */
public record MeteringRecordView(
    long id,
    String productCode,
    String awsAccountId,
    String customerIdentifier,
    String licenseArn,
    String licenseKey,
    String dimension,
    Instant usageHour,
    long quantity,
    int usageCount,
    Origin origin,
    RecordStatus status,
    String awsMeteringRecordId,
    String failure,
    int attempts,
    Instant createdAt,
    Instant completedAt,
    String mismatch) {}
