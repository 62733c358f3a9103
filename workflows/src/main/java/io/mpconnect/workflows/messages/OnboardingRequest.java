package io.mpconnect.workflows.messages;

import java.time.Duration;

/**
 * Input of an onboarding. The registration token is needed once, to resolve the customer; it is
 * kept out of search attributes, memos and logs.
 *
 * @param offerType AWS's optional {@code x-amzn-marketplace-offer-type} (e.g. free-trial), or null
 * @param authenticationTimeout how long to wait for the customer to sign in
 * @param organizationTimeout how long to wait for the customer to pick or create an organization
 */
public record OnboardingRequest(
    String onboardingId,
    String registrationToken,
    String offerType,
    Duration authenticationTimeout,
    Duration organizationTimeout) {}
