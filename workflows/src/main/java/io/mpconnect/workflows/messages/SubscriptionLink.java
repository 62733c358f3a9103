package io.mpconnect.workflows.messages;

/**
 * The organization a marketplace customer is linked to, as the onboarding's connect step made it
 * (or as the subscription workflow found it in the database).
 *
 * @param customerKey the subscription's customer key (see {@code SubscriptionIds})
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null
 * @param onboardingId the onboarding that made the link, or null when unknown
 * @param onboardingWorkflowId the onboarding workflow to tell about status changes while it runs,
 *     or null
 */
public record SubscriptionLink(
    String productCode,
    String customerKey,
    String awsAccountId,
    String customerIdentifier,
    String organizationId,
    String organizationName,
    String onboardingId,
    String onboardingWorkflowId) {}
