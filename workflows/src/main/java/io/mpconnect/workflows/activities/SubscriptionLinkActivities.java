package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionSnapshot;
import io.temporal.activity.ActivityInterface;

/**
 * Tells a customer's subscription workflow something, by signal-with-start.
 *
 * <p>Activities, not {@code Workflow.newExternalWorkflowStub(...).signal(...)}: an external stub
 * can only signal a workflow that is already running, and the subscription workflow may not exist
 * yet (no lifecycle event so far). Signal-with-start is a client call, and client calls belong in
 * activities, where they are retried with a policy and visible in the history.
 */
@ActivityInterface
public interface SubscriptionLinkActivities {
  void linkOrganization(SubscriptionLink link);

  /** Delivers an event to the subscription of its AWS account (the event names the account). */
  void deliverEvent(LifecycleEvent event);

  /**
   * Hands the state of a subscription workflow of the code before licenses, keyed by a legacy
   * CustomerIdentifier, to the subscription of the customer's AWS account.
   */
  void handOver(String productCode, String awsAccountId, SubscriptionSnapshot legacyState);
}
