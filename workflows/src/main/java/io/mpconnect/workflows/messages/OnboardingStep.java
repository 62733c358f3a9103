package io.mpconnect.workflows.messages;

/** Where an onboarding stands; upserted as the OnboardingStep search attribute. */
public enum OnboardingStep {
  RESOLVING_CUSTOMER,
  AWAITING_AUTHENTICATION,
  AWAITING_ORGANIZATION,
  CONNECTING,
  CONFIRMING,
  DONE
}
