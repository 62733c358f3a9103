package io.mpconnect.activities.subscriptions;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.SubscriptionLinkActivities;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;

/**
 * Sends the onboarding's link to the customer's subscription workflow by signal-with-start (see
 * {@link SubscriptionLinkActivities} for why this is an activity). Temporal being unavailable
 * propagates, and the activity is retried.
 */
public final class SubscriptionLinkActivitiesImpl implements SubscriptionLinkActivities {
  private final SubscriptionSignals signals;

  public SubscriptionLinkActivitiesImpl(WorkflowClient client, String taskQueue) {
    this.signals = new SubscriptionSignals(client, taskQueue);
  }

  @Override
  public void linkOrganization(SubscriptionLink link) {
    if (link == null
        || !SubscriptionIds.isSafe(link.productCode())
        || !SubscriptionIds.isSafe(link.customerKey())
        || link.organizationId() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "The subscription link is incomplete.", FailureTypes.INVALID_INPUT);
    }
    signals.link(link);
  }
}
