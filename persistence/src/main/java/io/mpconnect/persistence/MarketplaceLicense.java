package io.mpconnect.persistence;

import java.time.Instant;
import java.util.UUID;

/**
 * One license of an AWS Marketplace customer as stored (table marketplace_licenses): on AWS's
 * current model one agreement with its LicenseArn; on a legacy listing the one implicit license
 * (key {@code legacy}). Written only by the customer's subscription workflow, through {@link
 * LicenseRepository#save}.
 *
 * @param key the workflow's license key: the agreement id, {@code arn:<LicenseArn>} while only the
 *     ARN is known, or {@code legacy}
 * @param usableFrom when AWS says the license became usable, or null
 * @param endedAt when the agreement ended (its final metering hour opened), or null
 * @param revokedAt when the license was deprovisioned (nothing more is metered), or null
 * @param freeTrial AWS's free-trial flag, or null when unknown
 * @param organizationId the organization linked when the row was written, or null
 * @param sequence the subscription workflow's change counter of the write
 */
public record MarketplaceLicense(
    String productCode,
    String awsAccountId,
    String key,
    String licenseArn,
    String agreementId,
    Status status,
    Instant usableFrom,
    Instant endedAt,
    Instant revokedAt,
    Boolean freeTrial,
    String offerId,
    String intent,
    String endReason,
    UUID organizationId,
    long sequence,
    Instant updatedAt) {

  /**
   * Where the license stands (column status). Same names as the workflows' LicenseStatus, kept
   * separate so the schema does not depend on Temporal code.
   */
  public enum Status {
    /** Known, not usable yet. */
    PENDING,
    /** Usable and billed. */
    USABLE,
    /** Ended: its final metering hour is open. */
    ENDING,
    /** Revoked: nothing more is metered. */
    ENDED,
    /** AWS reported subscribe-fail (legacy). */
    FAILED
  }
}
