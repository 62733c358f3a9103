package io.mpconnect.api;

import io.mpconnect.api.marketplace.StoredSubscriptionStatus;
import io.mpconnect.workflows.activities.AccountActivities;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.MarketplaceActivities;
import io.mpconnect.workflows.activities.NotificationActivities;
import io.mpconnect.workflows.activities.SubscriptionLinkActivities;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.IneligibleReason;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SignInResult;
import io.mpconnect.workflows.messages.SignedInUser;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionUpdate;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.mpconnect.workflows.onboarding.OnboardingWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Small in-test activity implementations: the api tests exercise the HTTP contract against the
 * real workflow, not the database or AWS.
 */
final class FakeActivities {
  static final OrganizationOption ACME =
      new OrganizationOption("org-acme", "Acme", "STARTER", "OWNER", true, null);
  /** A name with markup, to prove pages escape it; not eligible (member only). */
  static final OrganizationOption BETA =
      new OrganizationOption(
          "org-beta", "Beta <b>&co</b>", "STARTER", "MEMBER", false, IneligibleReason.NOT_OWNER);
  static final List<OrganizationOption> ORGANIZATIONS = List.of(ACME, BETA);

  static final class Marketplace implements MarketplaceActivities {
    final Map<String, ResolvedCustomer> tokens = new ConcurrentHashMap<>();

    @Override
    public ResolvedCustomer resolveCustomer(String registrationToken) {
      ResolvedCustomer customer = tokens.get(registrationToken);
      if (customer == null) {
        throw ApplicationFailure.newNonRetryableFailure("unknown token", FailureTypes.INVALID_TOKEN);
      }
      return customer;
    }
  }

  static final class Accounts implements AccountActivities {
    final List<VerifiedIdentity> signIns = new CopyOnWriteArrayList<>();

    @Override
    public OrganizationRef registerCustomer(ResolvedCustomer customer) {
      return null;
    }

    @Override
    public SignInResult signIn(VerifiedIdentity identity) {
      signIns.add(identity);
      return new SignInResult(
          new SignedInUser("user-" + identity.subject(), identity.provider(), identity.email(),
              identity.displayName()),
          ORGANIZATIONS);
    }

    @Override
    public List<OrganizationOption> listOrganizations(String userId) {
      return ORGANIZATIONS;
    }

    @Override
    public ConnectResult connect(ConnectCommand command) {
      OrganizationRef organization =
          command.choice().organizationId() != null
              ? ORGANIZATIONS.stream()
                  .filter(o -> o.id().equals(command.choice().organizationId()))
                  .map(o -> new OrganizationRef(o.id(), o.name(), "STANDARD"))
                  .findFirst()
                  .orElseThrow()
              : new OrganizationRef("org-new", command.choice().newOrganizationName(), "STANDARD");
      return new ConnectResult(ConnectResult.Status.CONNECTED, organization, null);
    }
  }

  static final class Notifications implements NotificationActivities {
    final List<ConfirmationRequest> confirmations = new CopyOnWriteArrayList<>();

    @Override
    public void enqueueConfirmation(ConfirmationRequest request) {
      confirmations.add(request);
    }

    final List<io.mpconnect.workflows.messages.ReminderRequest> reminders =
        new CopyOnWriteArrayList<>();
    final List<io.mpconnect.workflows.messages.AbandonmentNotice> abandonmentNotices =
        new CopyOnWriteArrayList<>();

    @Override
    public void enqueueReminder(io.mpconnect.workflows.messages.ReminderRequest request) {
      reminders.add(request);
    }

    @Override
    public void enqueueAbandonmentNotice(
        io.mpconnect.workflows.messages.AbandonmentNotice notice) {
      abandonmentNotices.add(notice);
    }
  }

  /**
   * Plays the subscription workflow's hand-off for the api's tests: a link from an onboarding that
   * ends at it is stored as AWS already confirmed it (ACTIVE, STANDARD), as the real subscription
   * workflow writes it to PostgreSQL; the api reads it through {@link #records()}. A link from an
   * onboarding of the code before (one that waits) is answered by the signal it waits for.
   */
  static final class SubscriptionLinks implements SubscriptionLinkActivities {
    final List<SubscriptionLink> links = new CopyOnWriteArrayList<>();
    volatile WorkflowClient client;
    /** Licenses a test gives an AWS account before its link, stored with the link. */
    final Map<String, List<io.mpconnect.workflows.messages.License>> licenses =
        new ConcurrentHashMap<>();
    /** What the "subscription workflow" stored, by "product/account/organization". */
    private final Map<String, StoredSubscriptionStatus.Stored> stored = new ConcurrentHashMap<>();

    /** The stored subscriptions, as the api reads them from PostgreSQL. */
    StoredSubscriptionStatus.Records records() {
      return (product, account, organization) ->
          java.util.Optional.ofNullable(stored.get(product + "/" + account + "/" + organization));
    }

    @Override
    public void linkOrganization(SubscriptionLink link) {
      links.add(link);
      if (link.onboardingWorkflowId() == null) {
        stored.put(link.productCode() + "/" + link.awsAccountId() + "/" + link.organizationId(),
            new StoredSubscriptionStatus.Stored(SubscriptionStatus.ACTIVE, "STANDARD",
                licenses.getOrDefault(link.awsAccountId(), List.of())));
      } else {
        client
            .newUntypedWorkflowStub(link.onboardingWorkflowId())
            .signal(
                OnboardingWorkflow.SUBSCRIPTION_CHANGED_SIGNAL,
                new SubscriptionUpdate(SubscriptionStatus.ACTIVE, "STANDARD"));
      }
    }

    @Override
    public void deliverEvent(io.mpconnect.workflows.messages.LifecycleEvent event) {
      throw new UnsupportedOperationException("the api tests run no subscription events here");
    }

    @Override
    public void handOver(
        String productCode,
        String awsAccountId,
        io.mpconnect.workflows.messages.SubscriptionSnapshot legacyState) {
      throw new UnsupportedOperationException("the api tests run no subscription migration");
    }
  }

  private FakeActivities() {}
}
