package io.mpconnect.api.marketplace;

import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionMessages;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.client.WorkflowClient;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a closed onboarding's view up to date with its subscription. A connected onboarding ends
 * once it handed the link to the subscription workflow (onboardings of older code: once they sent
 * their confirmation), but AWS may confirm (or cancel) at any time: the subscription workflow is
 * the one source of that status and of the customer's licenses, so the page asks it by query
 * rather than keeping the onboarding open for an event that may come late or never.
 *
 * <p>The subscription is the one of the customer's AWS account ({@code
 * subscription-<productCode>-<awsAccountId>}); while a subscription of the code before licenses,
 * keyed by the legacy CustomerIdentifier, has not handed over to it yet, that one answers.
 */
public final class LiveSubscriptionStatus {
  private static final Logger log = LoggerFactory.getLogger(LiveSubscriptionStatus.class);

  private LiveSubscriptionStatus() {}

  /**
   * A connected onboarding's view with its subscription's live status, and the subscription's
   * licenses (empty when not connected, not known, or the subscription did not answer).
   */
  public record Live(OnboardingView view, List<License> licenses) {
    public Live {
      licenses = licenses == null ? List.of() : List.copyOf(licenses);
    }
  }

  /** The view brought up to date, its subscription carrying the customer's licenses. */
  public static OnboardingView refresh(WorkflowClient client, OnboardingView view) {
    Live live = read(client, view);
    OnboardingView refreshed = live.view();
    if (live.licenses().isEmpty() || refreshed.subscription() == null) {
      return refreshed;
    }
    return new OnboardingView(
        refreshed.id(),
        refreshed.step(),
        refreshed.outcome(),
        refreshed.customer(),
        refreshed.user(),
        refreshed.organizations(),
        refreshed.organization(),
        new OnboardingView.Subscription(refreshed.subscription().status(), live.licenses()),
        refreshed.message());
  }

  /**
   * The view brought up to date, with the subscription's licenses. An onboarding that ended at the
   * link has no subscription status of its own: it gets the subscription's. One that waited for
   * AWS's answer has one as of its end: it is replaced when the subscription's differs. The
   * subscription's answer counts when it is linked to this onboarding's organization, or to none
   * yet (the link is on its way to it); the licenses are the AWS account's either way.
   */
  public static Live read(WorkflowClient client, OnboardingView view) {
    if (view == null
        || view.outcome() != OnboardingOutcome.CONNECTED
        || view.customer() == null
        || view.organization() == null) {
      return new Live(view, List.of());
    }
    Optional<SubscriptionView> subscription;
    try {
      subscription =
          subscriptionOf(client, view.customer().productCode(),
              view.customer().customerIdentifier(), view.customer().awsAccountId());
    } catch (RuntimeException e) {
      // The onboarding's own answer is still true as of its end; better than no page.
      log.warn("could not read the subscription of onboarding {}: {}", view.id(),
          e.getClass().getSimpleName());
      return new Live(view, List.of());
    }
    if (subscription.isEmpty() || subscription.get().status() == null) {
      return new Live(view, List.of());
    }
    SubscriptionView live = subscription.get();
    boolean sameOrganization = view.organization().id().equals(live.organizationId());
    if (!sameOrganization && live.organizationId() != null) {
      // Linked to another organization since: nothing of it belongs on this page.
      return new Live(view, List.of());
    }
    if (!sameOrganization && view.subscription() != null) {
      // The link has not reached the subscription yet; the onboarding's own status stands.
      return new Live(view, live.licenses());
    }
    String plan =
        sameOrganization && live.plan() != null ? live.plan() : view.organization().plan();
    if (view.subscription() != null
        && live.status() == view.subscription().status()
        && Objects.equals(plan, view.organization().plan())) {
      return new Live(view, live.licenses());
    }
    OrganizationRef organization =
        new OrganizationRef(view.organization().id(), view.organization().name(), plan);
    OnboardingView refreshed =
        new OnboardingView(
            view.id(),
            view.step(),
            view.outcome(),
            view.customer(),
            view.user(),
            view.organizations(),
            organization,
            new OnboardingView.Subscription(live.status()),
            SubscriptionMessages.connected(organization.name(), live.status(), plan));
    return new Live(refreshed, live.licenses());
  }

  /**
   * The view of the customer's subscription workflow: the account's, else (not migrated yet) the
   * one keyed by the legacy CustomerIdentifier; empty when there is neither. Throws when Temporal
   * does not answer.
   */
  public static Optional<SubscriptionView> subscriptionOf(
      WorkflowClient client, String productCode, String customerIdentifier, String awsAccountId) {
    // A query needs no task queue.
    SubscriptionSignals signals = new SubscriptionSignals(client, "unused");
    String key = SubscriptionIds.customerKey(customerIdentifier, awsAccountId);
    Optional<SubscriptionView> view = signals.view(productCode, key);
    String legacyKey = SubscriptionIds.legacyCustomerKey(customerIdentifier, awsAccountId);
    if (view.isEmpty() && !legacyKey.equals(key)) {
      view = signals.view(productCode, legacyKey);
    }
    return view;
  }
}
