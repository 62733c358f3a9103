package io.mpconnect.api.marketplace;

import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionMessages;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.client.WorkflowClient;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a closed onboarding's view up to date with its subscription. A connected onboarding ends
 * once it has sent its confirmation, but AWS may confirm (or cancel) later: the subscription
 * workflow is the one source of that status, so the page asks it by query rather than keeping the
 * onboarding open for an event that may come late or never. While the onboarding runs, the
 * subscription workflow signals it instead, and its own view is current.
 */
public final class LiveSubscriptionStatus {
  private static final Logger log = LoggerFactory.getLogger(LiveSubscriptionStatus.class);

  private LiveSubscriptionStatus() {}

  public static OnboardingView refresh(WorkflowClient client, OnboardingView view) {
    if (view == null
        || view.outcome() != OnboardingOutcome.CONNECTED
        || view.subscription() == null
        || view.customer() == null
        || view.organization() == null) {
      return view;
    }
    Optional<SubscriptionView> subscription;
    try {
      String key =
          SubscriptionIds.customerKey(
              view.customer().customerIdentifier(), view.customer().awsAccountId());
      // The task queue is not needed for a query.
      subscription = new SubscriptionSignals(client, "unused").view(view.customer().productCode(), key);
    } catch (RuntimeException e) {
      // The onboarding's own answer is still true as of its end; better than no page.
      log.warn("could not read the subscription of onboarding {}: {}", view.id(),
          e.getClass().getSimpleName());
      return view;
    }
    if (subscription.isEmpty()
        || subscription.get().status() == null
        || !view.organization().id().equals(subscription.get().organizationId())
        || (subscription.get().status() == view.subscription().status()
            && (subscription.get().plan() == null
                || subscription.get().plan().equals(view.organization().plan())))) {
      return view;
    }
    SubscriptionView live = subscription.get();
    String plan = live.plan() == null ? view.organization().plan() : live.plan();
    OrganizationRef organization =
        new OrganizationRef(view.organization().id(), view.organization().name(), plan);
    return new OnboardingView(
        view.id(),
        view.step(),
        view.outcome(),
        view.customer(),
        view.user(),
        view.organizations(),
        organization,
        new OnboardingView.Subscription(live.status()),
        SubscriptionMessages.connected(organization.name(), live.status(), plan));
  }
}
