package io.mpconnect.workflows.messages;

/**
 * Ask for the connection confirmation to be sent to the user (once per onboarding).
 *
 * @param subscriptionStatus the AWS subscription's status when the confirmation was sent, so it
 *     can say whether AWS has confirmed; null for onboardings that activated at connect time
 */
public record ConfirmationRequest(
    String onboardingId,
    String userId,
    OrganizationRef organization,
    ResolvedCustomer customer,
    SubscriptionStatus subscriptionStatus) {

  /** A confirmation without a subscription status (the organization was activated at connect). */
  public ConfirmationRequest(
      String onboardingId, String userId, OrganizationRef organization, ResolvedCustomer customer) {
    this(onboardingId, userId, organization, customer, null);
  }
}
