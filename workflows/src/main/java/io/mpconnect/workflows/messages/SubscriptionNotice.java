package io.mpconnect.workflows.messages;

/**
 * A notification to every owner of the linked organization about its subscription, written to the
 * outbox once per (subscription, sequence, owner).
 */
public record SubscriptionNotice(
    Kind kind,
    String productCode,
    String customerKey,
    String awsAccountId,
    String organizationId,
    long sequence) {

  public enum Kind {
    /** AWS confirmed the subscription after the onboarding's confirmation, or re-subscribed. */
    ACTIVATED,
    /** AWS reported subscribe-fail: the organization stays on (or returns to) Starter. */
    FAILED,
    /** AWS reported unsubscribe-success: the organization is back on Starter. */
    ENDED
  }
}
