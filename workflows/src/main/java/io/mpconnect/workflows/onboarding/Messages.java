package io.mpconnect.workflows.onboarding;

import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.shared.SupportText;
import java.time.Duration;

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

  /**
   * The current details the Temporal UI shows support (markdown): what the onboarding waits for
   * and since when, then what is known of the customer.
   *
   * @param since when the step was entered (workflow time)
   * @param timeout how long the step waits for the customer, or null for machine steps
   */
  static String details(
      OnboardingStep step,
      ResolvedCustomer customer,
      OrganizationRef organization,
      long since,
      Duration timeout) {
    String waits =
        switch (step) {
          case RESOLVING_CUSTOMER -> "Resolving the registration token with AWS";
          case AWAITING_AUTHENTICATION -> "Waiting for the customer to sign in";
          case AWAITING_ORGANIZATION -> "Waiting for the customer to choose an organization";
          case CONNECTING -> "Linking the organization to the AWS subscription";
          case CONFIRMING -> "Sending the confirmation";
          case DONE -> "Ended";
        };
    String deadline =
        timeout == null ? "" : " (gives up after " + SupportText.duration(timeout) + ")";
    return "**" + waits + "** since " + SupportText.at(since) + deadline + "\n\n"
        + facts(customer, organization);
  }

  /** The current details' line about the reminder the customer gets next. */
  static String nextReminder(int number, int of, Duration afterSignIn, long due) {
    return "Next: reminder e-mail " + number + " of " + of + " ("
        + SupportText.duration(afterSignIn) + " after the sign-in) at " + SupportText.at(due);
  }

  /**
   * The current details of an ended onboarding: its outcome in a sentence.
   *
   * @param lastStep the step it ended in (which human step timed out, where it failed)
   * @param timeout the timeout of {@code lastStep} when it was a human step
   */
  static String ended(
      OnboardingOutcome outcome,
      OnboardingStep lastStep,
      ResolvedCustomer customer,
      OrganizationRef organization,
      long at,
      Duration timeout) {
    String when = SupportText.at(at);
    String account = customer == null ? null : "AWS account " + customer.awsAccountId();
    String sentence =
        switch (outcome) {
          case CONNECTED ->
              "Connected organization " + org(organization) + " to " + account + " at " + when;
          case ALREADY_LINKED ->
              account + " was already connected to organization " + org(organization)
                  + "; nothing new was created (" + when + ")";
          case INVALID_TOKEN -> "AWS refused the registration token as invalid at " + when;
          case EXPIRED_TOKEN -> "AWS refused the registration token as expired at " + when;
          case WRONG_PRODUCT ->
              "The registration token belongs to another product's listing (" + when + ")";
          case ABANDONED ->
              (lastStep == OnboardingStep.AWAITING_AUTHENTICATION
                      ? "Nobody signed in"
                      : "No organization was chosen")
                  + (timeout == null ? "" : " within " + SupportText.duration(timeout))
                  + "; timed out at " + when;
          case FAILED ->
              "Failed for good at " + when + " while " + lastStep
                  + ": the history's last failure says why";
        };
    return "**" + outcome + "**: " + sentence + "\n\n" + facts(customer, organization);
  }

  private static String facts(ResolvedCustomer customer, OrganizationRef organization) {
    if (customer == null) {
      return "AWS account not known yet (AWS resolves it from the registration token)";
    }
    return "AWS account `" + customer.awsAccountId() + "` · product `" + customer.productCode()
        + "`" + (organization == null ? "" : " · organization " + org(organization));
  }

  private static String org(OrganizationRef organization) {
    return organization == null
        ? "(none)"
        : "\"" + organization.name() + "\" (`" + organization.id() + "`)";
  }

  private Messages() {}
}
