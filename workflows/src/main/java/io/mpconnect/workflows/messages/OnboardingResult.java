package io.mpconnect.workflows.messages;

/** The onboarding's result: how it ended, with which organization, and what to tell the customer. */
public record OnboardingResult(
    OnboardingOutcome outcome, OrganizationRef organization, String message) {}
