package io.mpconnect.workflows.messages;

import java.time.Duration;
import java.util.List;

/**
 * Input of an onboarding. The registration token is needed once, to resolve the customer; it is
 * kept out of search attributes, memos and logs.
 *
 * @param offerType AWS's optional {@code x-amzn-marketplace-offer-type} (e.g. free-trial), or null
 * @param authenticationTimeout how long to wait for the customer to sign in
 * @param organizationTimeout how long to wait for the customer to pick or create an organization
 * @param reminders when to remind a signed-in customer who has not chosen yet, each counted from
 *     the sign-in (increasing, each shorter than {@code organizationTimeout}); null or empty: no
 *     reminders (histories from before reminders hold null)
 */
public record OnboardingRequest(
    String onboardingId,
    String registrationToken,
    String offerType,
    Duration authenticationTimeout,
    Duration organizationTimeout,
    List<Duration> reminders) {

  /** An onboarding without reminders. */
  public OnboardingRequest(
      String onboardingId,
      String registrationToken,
      String offerType,
      Duration authenticationTimeout,
      Duration organizationTimeout) {
    this(onboardingId, registrationToken, offerType, authenticationTimeout, organizationTimeout,
        null);
  }
}
