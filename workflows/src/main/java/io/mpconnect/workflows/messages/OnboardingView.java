package io.mpconnect.workflows.messages;

import java.util.List;

/**
 * What the sign-up page renders and {@code GET /api/onboardings/{id}} returns.
 *
 * @param outcome null until the onboarding ends
 * @param customer null until AWS resolved the token
 * @param user null until the customer signed in
 * @param organization the linked organization, once known
 * @param subscription null until connected
 * @param message a sentence for the customer about the current state, or null
 */
public record OnboardingView(
    String id,
    OnboardingStep step,
    OnboardingOutcome outcome,
    Customer customer,
    User user,
    List<OrganizationOption> organizations,
    OrganizationRef organization,
    Subscription subscription,
    String message) {

  public record Customer(String awsAccountId, String customerIdentifier, String productCode) {}

  public record User(String displayName, String email, String provider) {}

  /**
   * @param licenses the customer's licenses as the subscription workflow holds them (the api
   *     fills them in from it; the onboarding itself never knows them)
   */
  public record Subscription(SubscriptionStatus status, java.util.List<License> licenses) {
    public Subscription {
      licenses = licenses == null ? java.util.List.of() : java.util.List.copyOf(licenses);
    }

    public Subscription(SubscriptionStatus status) {
      this(status, null);
    }
  }
}
