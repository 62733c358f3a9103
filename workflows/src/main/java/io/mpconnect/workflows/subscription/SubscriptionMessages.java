package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.SubscriptionStatus;

/**
 * What the customer reads about a connected organization's AWS subscription: the onboarding's
 * confirmation and the sign-up page use the same sentences. No tokens, no e-mail addresses.
 */
public final class SubscriptionMessages {
  /** While the onboarding waits for AWS after the link was made. */
  public static String waitingForAws(String organizationName) {
    return "Your organization \""
        + organizationName
        + "\" is connected. Waiting for AWS Marketplace to confirm your subscription; this usually"
        + " takes a few seconds.";
  }

  /** An onboarding that ended at the link; the page adds the subscription's stored status. */
  public static String linked(String organizationName) {
    return "Your organization \""
        + organizationName
        + "\" is connected to your AWS Marketplace subscription.";
  }

  /**
   * The confirmation of a connected onboarding, by the subscription's status then, and what the
   * sign-up page says later when the status changed.
   *
   * @param plan the organization's plan now (STARTER or STANDARD), or null when unknown
   */
  public static String connected(String organizationName, SubscriptionStatus status, String plan) {
    String organization = "\"" + organizationName + "\"";
    if (status == null) {
      status = SubscriptionStatus.PENDING;
    }
    boolean paid = "STANDARD".equals(plan);
    return switch (status) {
      case ACTIVE ->
          "Your organization "
              + organization
              + " is connected and AWS Marketplace has confirmed your subscription: it is on the"
              + " Standard plan, billed through AWS Marketplace.";
      case PENDING ->
          "Your organization "
              + organization
              + " is connected. AWS Marketplace has not confirmed your subscription yet: the"
              + " organization stays on the free Starter plan until it does, and its owners get"
              + " an e-mail then. You can close this page.";
      case FAILED ->
          "Your organization "
              + organization
              + " is connected, but AWS Marketplace reported that the subscription failed, so it"
              + " stays on the free Starter plan. Check the subscription in AWS Marketplace and"
              + " subscribe again; the organization is upgraded as soon as AWS confirms.";
      case UNSUBSCRIBE_PENDING ->
          paid
              ? "The AWS Marketplace subscription of "
                  + organization
                  + " is being cancelled: the organization keeps the Standard plan until AWS"
                  + " completes the cancellation, then returns to the free Starter plan."
              : "Your organization "
                  + organization
                  + " is connected, but the AWS Marketplace subscription is being cancelled, so it"
                  + " stays on the free Starter plan. Subscribe again in AWS Marketplace to"
                  + " upgrade it.";
      case UNSUBSCRIBED ->
          "Your organization "
              + organization
              + " is connected, but its AWS Marketplace subscription has ended, so it is on the"
              + " free Starter plan. Subscribe again in AWS Marketplace to upgrade it.";
    };
  }

  private SubscriptionMessages() {}
}
