package io.mpconnect.workflows.onboarding;

import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.IdentityRef;
import io.mpconnect.workflows.messages.OnboardingRequest;
import io.mpconnect.workflows.messages.OnboardingResult;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.SubscriptionUpdate;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One customer's journey from AWS Marketplace's "Set up your account" to an organization
 * connected to their AWS subscription. Workflow id: {@link OnboardingIds#workflowId(String)}.
 */
@WorkflowInterface
public interface OnboardingWorkflow {
  String SUBSCRIPTION_CHANGED_SIGNAL = "subscriptionChanged";

  @WorkflowMethod
  OnboardingResult run(OnboardingRequest request);

  /** The customer signed in; the identity is what the api verified from the ID token. */
  @UpdateMethod
  OnboardingView authenticate(VerifiedIdentity identity);

  @UpdateValidatorMethod(updateName = "authenticate")
  void validateAuthenticate(VerifiedIdentity identity);

  /** The customer picked an organization or named a new one; returns once the connect ended. */
  @UpdateMethod
  OnboardingView chooseOrganization(ConnectChoice choice);

  @UpdateValidatorMethod(updateName = "chooseOrganization")
  void validateChooseOrganization(ConnectChoice choice);

  /**
   * The customer's subscription workflow reports its status (after the link, and at every change
   * while this onboarding runs), so the confirmation can say whether AWS has confirmed.
   */
  @SignalMethod(name = SUBSCRIPTION_CHANGED_SIGNAL)
  void subscriptionChanged(SubscriptionUpdate update);

  @QueryMethod
  OnboardingView view();

  /**
   * The identity this onboarding belongs to (the first that signed in), or null before anyone
   * did: the api resumes the onboarding for that identity in any browser, and only for it.
   */
  @QueryMethod
  IdentityRef signedInAs();
}
