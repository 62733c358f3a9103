package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * One of a customer's licenses, as the subscription workflow holds it. On AWS's current model each
 * agreement is a license with its own LicenseArn; a legacy listing has one implicit license
 * ({@link #LEGACY_KEY}).
 *
 * @param key the agreement id, or {@code arn:<licenseArn>} while only the ARN is known, or
 *     {@link #LEGACY_KEY}
 * @param usableFrom when AWS says the license became usable (the event's own time), or null
 * @param endedAt when the agreement ended (its final metering hour opened), or null
 * @param revokedAt when the license was deprovisioned (nothing more is metered), or null
 * @param intent the agreement's intent (NEW, RENEW, REPLACE), or null
 * @param endReason the agreement's end status (CANCELLED, EXPIRED, TERMINATED, RENEWED, REPLACED)
 * @param lastEventAt the time of the newest event applied to it
 */
public record License(
    String key,
    String licenseArn,
    String agreementId,
    LicenseStatus status,
    Instant usableFrom,
    Instant endedAt,
    Instant revokedAt,
    Boolean freeTrial,
    String offerId,
    String intent,
    String endReason,
    Instant lastEventAt) {

  public static final String LEGACY_KEY = "legacy";
}
