package io.mpconnect.workflows.messages;

import java.time.Duration;
import java.time.Instant;

/**
 * A license ended (unsubscribe-pending, or Purchase Agreement Ended): about one hour remains to
 * send this customer's last usage records.
 *
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null (then meter by account id)
 * @param awsAccountId null when not known
 * @param organizationId the linked organization, or null when none is linked
 * @param requestedAt when the subscription workflow asked (workflow time)
 * @param sequence the subscription's transition counter: one flush per unsubscribe-pending
 * @param endedAt when AWS ended the license (the start of AWS's final hour), or null: then
 *     {@code requestedAt} stands for it
 * @param finalHourAt when the flush sends the current partial hour (close to the end of AWS's
 *     final hour, with the configured margin), or null: then {@link #DEFAULT_FINAL_HOUR_MARGIN}
 *     before the end of the hour that began at {@link #finalHourStart()}
 */
public record FinalFlushRequest(
    String productCode,
    String customerKey,
    String customerIdentifier,
    String awsAccountId,
    String organizationId,
    Instant requestedAt,
    long sequence,
    Instant endedAt,
    Instant finalHourAt) {

  /** How long AWS accepts usage after the end began. */
  public static final Duration FINAL_HOUR = Duration.ofHours(1);

  /** The final send happens this long before AWS's final hour closes, unless told otherwise. */
  public static final Duration DEFAULT_FINAL_HOUR_MARGIN = Duration.ofMinutes(10);

  /** The request of subscriptions that name neither the end nor the final send. */
  public FinalFlushRequest(
      String productCode,
      String customerKey,
      String customerIdentifier,
      String awsAccountId,
      String organizationId,
      Instant requestedAt,
      long sequence) {
    this(productCode, customerKey, customerIdentifier, awsAccountId, organizationId, requestedAt,
        sequence, null, null);
  }

  /** When AWS's final hour began: {@code endedAt}, else {@code requestedAt}, or null. */
  public Instant finalHourStart() {
    return endedAt != null ? endedAt : requestedAt;
  }

  /** When the current partial hour is sent with {@code margin} before AWS's hour closes. */
  public Instant finalHourAt(Duration margin) {
    Instant start = finalHourStart();
    return start == null ? null : start.plus(FINAL_HOUR).minus(margin);
  }

  /**
   * When the flush sends the current partial hour: {@code finalHourAt} if given, else with the
   * default margin; null when the request names no time at all (then at once).
   */
  public Instant finalHourSendAt() {
    return finalHourAt != null ? finalHourAt : finalHourAt(DEFAULT_FINAL_HOUR_MARGIN);
  }

  /** A copy that sends the current partial hour at {@code at}. */
  public FinalFlushRequest withFinalHourAt(Instant at) {
    return new FinalFlushRequest(productCode, customerKey, customerIdentifier, awsAccountId,
        organizationId, requestedAt, sequence, endedAt, at);
  }

  /** A copy naming when AWS ended the license. */
  public FinalFlushRequest withEndedAt(Instant at) {
    return new FinalFlushRequest(productCode, customerKey, customerIdentifier, awsAccountId,
        organizationId, requestedAt, sequence, at, finalHourAt);
  }
}
