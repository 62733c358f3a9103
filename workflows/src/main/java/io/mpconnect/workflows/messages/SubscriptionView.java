package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * A subscription as support and the sign-up page see it (the subscription workflow's query).
 *
 * @param organizationId null until an organization is linked
 * @param plan the linked organization's plan as of the last transition, or null
 * @param lastAction the last lifecycle action applied, or null
 * @param lastEventAt when AWS sent the last event applied, or null
 * @param lastError why the last database transition failed for good, or null
 */
public record SubscriptionView(
    String workflowId,
    String productCode,
    String customerKey,
    String customerIdentifier,
    String awsAccountId,
    String organizationId,
    String organizationName,
    SubscriptionStatus status,
    AwsSubscriptionState awsState,
    String plan,
    LifecycleAction lastAction,
    Instant lastEventAt,
    long eventsApplied,
    long duplicatesIgnored,
    long staleIgnored,
    String lastError) {}
