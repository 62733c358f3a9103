package io.mpconnect.workflows.onboarding;

import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;

/** The sentences an onboarding shows the customer and support. No tokens, no e-mail addresses. */
final class Messages {
  static String outcome(OnboardingOutcome outcome, OrganizationRef organization) {
    return switch (outcome) {
      case CONNECTED ->
          "Your organization \""
              + organization.name()
              + "\" is connected: billing now runs through AWS Marketplace.";
      case ALREADY_LINKED ->
          "Your AWS account is already subscribed and connected to the organization \""
              + organization.name()
              + "\". No new organization was created: ask its members for an invitation.";
      case INVALID_TOKEN ->
          "This sign-up link is not valid. Go back to AWS Marketplace and click \"Set up your"
              + " account\" again.";
      case EXPIRED_TOKEN ->
          "This sign-up link has expired. Go back to AWS Marketplace and click \"Set up your"
              + " account\" again.";
      case WRONG_PRODUCT ->
          "This sign-up link belongs to another product's subscription. Open the product you"
              + " subscribed to from AWS Marketplace.";
      case ABANDONED ->
          "This sign-up timed out. Go back to AWS Marketplace and click \"Set up your account\""
              + " again to continue.";
      case FAILED ->
          "We could not complete the connection. Nothing was charged; please try again from AWS"
              + " Marketplace, or contact support.";
    };
  }

  static String reason(OrganizationOption option) {
    if (option.ineligibleReason() == null) {
      return "it is not eligible.";
    }
    return switch (option.ineligibleReason()) {
      case NOT_OWNER -> "only its owners can connect it to a marketplace.";
      case NOT_STARTER_PLAN -> "only organizations on the free Starter plan can be connected.";
      case ALREADY_LINKED -> option.linkedAwsAccount() == null
          ? "it is already connected to AWS Marketplace."
          : "it is already connected (AWS account " + option.linkedAwsAccount() + ").";
    };
  }

  /** The current details the Temporal UI shows support. */
  static String details(OnboardingStep step, ResolvedCustomer customer) {
    String who = customer == null ? "" : " (AWS account " + customer.awsAccountId() + ")";
    return switch (step) {
      case RESOLVING_CUSTOMER -> "Resolving the registration token with AWS";
      case AWAITING_AUTHENTICATION -> "Waiting for the customer to sign in" + who;
      case AWAITING_ORGANIZATION -> "Waiting for the customer to choose an organization" + who;
      case CONNECTING -> "Linking the organization to the AWS subscription" + who;
      case CONFIRMING -> "Sending the confirmation" + who;
      case DONE -> "Ended" + who;
    };
  }

  private Messages() {}
}
