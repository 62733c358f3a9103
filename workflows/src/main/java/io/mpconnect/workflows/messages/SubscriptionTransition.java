package io.mpconnect.workflows.messages;

/**
 * A change of a subscription's status to write to PostgreSQL: the link's status, the linked
 * organization's plan (STANDARD billed through AWS Marketplace when ACTIVE, back to STARTER when
 * FAILED or UNSUBSCRIBED) and the audit log, in one transaction. Idempotent: a retry writes nothing
 * that is already there.
 *
 * @param organizationId null while no organization is linked (then only the audit row is written)
 * @param awsAccountId null when not known yet (legacy events name only the customer identifier)
 * @param cause the lifecycle action's wire name, or {@code link} when the link arrived
 * @param messageId the event's message id, or null
 * @param sequence the subscription's transition counter, unique per subscription
 * @param source where the cause came from: sqs, admin (injected by support), onboarding
 */
public record SubscriptionTransition(
    String productCode,
    String customerKey,
    String customerIdentifier,
    String awsAccountId,
    String organizationId,
    SubscriptionStatus from,
    SubscriptionStatus to,
    String cause,
    String messageId,
    long sequence,
    String source) {}
