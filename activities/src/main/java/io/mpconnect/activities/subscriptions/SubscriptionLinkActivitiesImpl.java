package io.mpconnect.activities.subscriptions;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.SubscriptionLinkActivities;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionSnapshot;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;

/**
 * Sends the onboarding's link, events and hand-overs to the customer's subscription workflow by
 * signal-with-start (see
 * {@link SubscriptionLinkActivities} for why this is an activity). Temporal being unavailable
 * propagates, and the activity is retried.
 */
public final class SubscriptionLinkActivitiesImpl implements SubscriptionLinkActivities {
  private final SubscriptionSignals signals;

  public SubscriptionLinkActivitiesImpl(WorkflowClient client, String taskQueue) {
    this(new SubscriptionSignals(client, taskQueue));
  }

  public SubscriptionLinkActivitiesImpl(SubscriptionSignals signals) {
    this.signals = signals;
  }

  @Override
  public void deliverEvent(LifecycleEvent event) {
    if (event == null
        || event.action() == null
        || !SubscriptionIds.isSafe(event.productCode())
        || event.awsAccountId() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "The event names no product and AWS account.", FailureTypes.INVALID_INPUT);
    }
    signals.deliver(event);
  }

  @Override
  public void handOver(String productCode, String awsAccountId, SubscriptionSnapshot legacyState) {
    if (!SubscriptionIds.isSafe(productCode) || !SubscriptionIds.isSafe(awsAccountId)
        || legacyState == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "The hand-over names no product, AWS account or state.", FailureTypes.INVALID_INPUT);
    }
    signals.handOver(productCode, awsAccountId, legacyState);
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
