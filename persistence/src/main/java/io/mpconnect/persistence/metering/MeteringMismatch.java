package io.mpconnect.persistence.metering;

import java.time.Instant;
import java.util.UUID;

/**
 * AWS answered a record in a way the product's own state contradicts (table
 * metering_mismatches): today CustomerNotSubscribed for a record whose license the product holds
 * usable for that hour.
 *
 * @param licenseStatus the license's status in the product when the mismatch was found, or null
 *     (a customer metered the legacy way, without a license row)
 * @param reason {@code LicenseUsable} or {@code LinkActive} (no license row, the link is active)
 */
public record MeteringMismatch(
    long meteringRecordId,
    String productCode,
    String awsAccountId,
    String licenseArn,
    String licenseKey,
    UUID organizationId,
    String dimension,
    Instant usageHour,
    long quantity,
    String awsAnswer,
    String licenseStatus,
    String reason,
    Instant detectedAt) {}
