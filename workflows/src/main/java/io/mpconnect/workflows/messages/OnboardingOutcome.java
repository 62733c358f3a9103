package io.mpconnect.workflows.messages;

/** How an onboarding ended; upserted as the OnboardingOutcome search attribute. */
public enum OnboardingOutcome {
  CONNECTED,
  ALREADY_LINKED,
  INVALID_TOKEN,
  EXPIRED_TOKEN,
  WRONG_PRODUCT,
  ABANDONED,
  FAILED
}
