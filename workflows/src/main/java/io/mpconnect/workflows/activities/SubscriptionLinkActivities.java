package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.SubscriptionLink;
import io.temporal.activity.ActivityInterface;

/**
 * Tells the customer's subscription workflow about a new link, by signal-with-start.
 *
 * <p>An activity, not {@code Workflow.newExternalWorkflowStub(...).signal(...)}: an external stub
 * can only signal a workflow that is already running, and the subscription workflow may not exist
 * yet (no lifecycle event so far). Signal-with-start is a client call, and client calls belong in
 * activities, where they are retried with a policy and visible in the history.
 */
@ActivityInterface
public interface SubscriptionLinkActivities {
  void linkOrganization(SubscriptionLink link);
}
