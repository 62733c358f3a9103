package io.mpconnect.workflows.messages;

/**
 * Ask for the notice to a signed-in customer whose onboarding ended ABANDONED (once per
 * onboarding): nothing was connected or charged, and how to start again.
 */
public record AbandonmentNotice(String onboardingId, String userId, String awsAccountId) {}
