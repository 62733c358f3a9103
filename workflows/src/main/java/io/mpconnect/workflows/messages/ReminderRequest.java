package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * Ask for a reminder to a signed-in customer who has not chosen an organization yet (once per
 * onboarding and number). The mail links back to the sign-up page of {@code onboardingId}.
 *
 * @param number which reminder this is, from 1
 * @param of how many reminders the onboarding sends at most
 * @param expiresAt when the onboarding stops waiting for the choice
 */
public record ReminderRequest(
    String onboardingId,
    String userId,
    String awsAccountId,
    int number,
    int of,
    Instant expiresAt) {}
