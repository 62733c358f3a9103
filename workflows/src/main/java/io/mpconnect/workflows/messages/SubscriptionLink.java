package io.mpconnect.workflows.messages;

/**
 * The organization a marketplace customer is linked to, as the onboarding's connect step made it
 * (or as the subscription workflow found it in the database).
 *
 * @param customerKey the subscription's customer key (see {@code SubscriptionIds})
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null
 * @param onboardingId the onboarding that made the link, or null when unknown
 * @param onboardingWorkflowId a running onboarding (made before onboardings ended at the link) to
 *     tell about status changes, or null
 * @param licenseArn the license the registration resolved to (current model), or null
 * @param confirmToUserId the user to send the onboarding's confirmation to, once, with the
 *     subscription's status then; null when the onboarding sends it itself (older onboardings) or
 *     for a registration that joined an existing link
 * @param offerType the registration's {@code x-amzn-marketplace-offer-type} (e.g. free-trial), or
 *     null
 */
public record SubscriptionLink(
    String productCode,
    String customerKey,
    String awsAccountId,
    String customerIdentifier,
    String organizationId,
    String organizationName,
    String onboardingId,
    String onboardingWorkflowId,
    String licenseArn,
    String confirmToUserId,
    String offerType) {

  public SubscriptionLink(
      String productCode,
      String customerKey,
      String awsAccountId,
      String customerIdentifier,
      String organizationId,
      String organizationName,
      String onboardingId,
      String onboardingWorkflowId) {
    this(productCode, customerKey, awsAccountId, customerIdentifier, organizationId,
        organizationName, onboardingId, onboardingWorkflowId, null, null, null);
  }
}
