package io.mpconnect.workflows.messages;

/** Ask for the connection confirmation to be sent to the user (once per onboarding). */
public record ConfirmationRequest(
    String onboardingId, String userId, OrganizationRef organization, ResolvedCustomer customer) {}
