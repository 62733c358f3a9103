package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.testing.ReplayHistories;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.mpconnect.workflows.activities.AccountActivities;
import io.mpconnect.workflows.activities.MarketplaceActivities;
import io.mpconnect.workflows.activities.NotificationActivities;
import io.mpconnect.workflows.activities.SubscriptionLinkActivities;
import io.mpconnect.workflows.messages.AwsSubscriptionState;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.IdentityRef;
import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingRequest;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SignInResult;
import io.mpconnect.workflows.messages.SignedInUser;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionSnapshot;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.mpconnect.workflows.onboarding.OnboardingWorkflow;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The subscription workflow together with the real onboarding workflow on the time-skipping test
 * server, for every order in which AWS's events and the customer's connect can arrive. PostgreSQL
 * is an in-memory fake with the same plan rules; the link travels through the real signal-with-start
 * path ({@link SubscriptionSignals}).
 */
class SubscriptionLifecycleTest {
  private static final String TOKEN = "registration-token-of-the-lifecycle-test";
  private static final String ONBOARDING = OnboardingIds.fromToken(TOKEN);
  private static final String PRODUCT = "prod-abc123";
  private static final String ACCOUNT = "111122223333";
  private static final String CUSTOMER_ID = "cust-111122223333";
  private static final ResolvedCustomer CUSTOMER = new ResolvedCustomer(PRODUCT, ACCOUNT, CUSTOMER_ID);
  private static final String SUBSCRIPTION = SubscriptionIds.workflowId(PRODUCT, ACCOUNT);
  private static final String ORG = "org-acme";
  private static final VerifiedIdentity IDENTITY =
      new VerifiedIdentity("dev", "http://issuer", "owner-sub", "owner@example.com", "Owner");
  private static final SignedInUser USER =
      new SignedInUser("user-1", "dev", "owner@example.com", "Owner");
  private static final OrganizationOption ACME =
      new OrganizationOption(ORG, "Acme Analytics", "STARTER", "OWNER", true, null);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      withSearchAttributes(
              TestWorkflowExtension.newBuilder()
                  .registerWorkflowImplementationTypes(
                      OnboardingWorkflowImpl.class,
                      SubscriptionWorkflowImpl.class,
                      CustomerIdentifierWorkflowImpl.class)
                  .setDoNotStart(true))
          .build();

  private final MarketplaceActivities marketplace =
      mock(MarketplaceActivities.class, withSettings().withoutAnnotations());
  private final AccountActivities accounts =
      mock(AccountActivities.class, withSettings().withoutAnnotations());
  private final List<ConfirmationRequest> confirmations = new CopyOnWriteArrayList<>();
  private final FakeSubscriptionStore store = new FakeSubscriptionStore();

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private SubscriptionSignals signals;
  private String taskQueue;
  private String testName;
  private int messages;
  /** What the onboarding's link activity does; a test may replace it to stage a race. */
  private volatile Consumer<SubscriptionLink> linkActivity;

  static TestWorkflowExtension.Builder withSearchAttributes(TestWorkflowExtension.Builder builder) {
    for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
      builder.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    return builder;
  }

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client, TestInfo info) {
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    this.testName = info.getTestMethod().orElseThrow().getName();
    // The registration mapped the customer's identifier to its account (see the test of events
    // that arrive before it, which clears this).
    store.identifierAccounts.put(CUSTOMER_ID, ACCOUNT);
    this.signals = new SubscriptionSignals(client, taskQueue, store::accountOfIdentifier);
    NotificationActivities notifications =
        new NotificationActivities() {
          @Override
          public void enqueueConfirmation(ConfirmationRequest request) {
            confirmations.add(request);
          }

          @Override
          public void enqueueReminder(io.mpconnect.workflows.messages.ReminderRequest request) {
            throw new UnsupportedOperationException("not a subscription's call");
          }

          @Override
          public void enqueueAbandonmentNotice(
              io.mpconnect.workflows.messages.AbandonmentNotice notice) {
            throw new UnsupportedOperationException("not a subscription's call");
          }
        };
    linkActivity = signals::link;
    SubscriptionLinkActivities links =
        new SubscriptionLinkActivities() {
          @Override
          public void linkOrganization(SubscriptionLink link) {
            linkActivity.accept(link);
          }

          @Override
          public void deliverEvent(LifecycleEvent event) {
            signals.deliver(event);
          }

          @Override
          public void handOver(String productCode, String account, SubscriptionSnapshot state) {
            signals.handOver(productCode, account, state);
          }
        };
    worker.registerActivitiesImplementations(marketplace, accounts, notifications, links, store);
    when(marketplace.resolveCustomer(TOKEN)).thenReturn(CUSTOMER);
    when(accounts.signIn(IDENTITY)).thenReturn(new SignInResult(USER, List.of(ACME)));
    when(accounts.connect(any()))
        .thenReturn(
            new ConnectResult(
                ConnectResult.Status.CONNECTED,
                new OrganizationRef(ORG, "Acme Analytics", "STARTER"),
                null));
    env.start();
  }

  @AfterEach
  void recordHistories() {
    ReplayHistories.recordIfAsked(
        client, OnboardingIds.workflowId(ONBOARDING), "onboarding-lifecycle-" + testName);
    // Histories of local store steps (SubscriptionWorkflowImpl.LOCAL_STORE_STEPS_CHANGE); the ones
    // named "subscription-" + the test alone were recorded before it.
    ReplayHistories.recordIfAsked(client, SUBSCRIPTION, "subscription-local-store-" + testName);
  }

  // ---- orderings around the onboarding

  @Test
  void givenSubscribeSuccessBeforeRegistration_itActivatesAtTheLinkAndConfirmsActive() {
    deliver(LifecycleAction.SUBSCRIBE_SUCCESS);
    SubscriptionView waiting = awaitSubscription(v -> v.awsState() == AwsSubscriptionState.SUBSCRIBED);
    assertThat(waiting.status()).isEqualTo(SubscriptionStatus.PENDING);
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");

    OnboardingWorkflow onboarding = startOnboarding();
    onboarding.authenticate(IDENTITY);
    OnboardingView done = choose(onboarding).getResult(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    assertThat(done.message()).contains("is connected to your AWS Marketplace subscription");
    verify(accounts)
        .connect(new ConnectCommand(ONBOARDING, "user-1", CUSTOMER,
            ConnectChoice.existing(ORG).by(IdentityRef.of(IDENTITY)), false));
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
    awaitTrue(() -> !confirmations.isEmpty());
    assertThat(confirmations).singleElement()
        .satisfies(c -> {
          assertThat(c.subscriptionStatus()).isEqualTo(SubscriptionStatus.ACTIVE);
          assertThat(c.userId()).isEqualTo("user-1");
          assertThat(c.onboardingId()).isEqualTo(ONBOARDING);
        });
    // The confirmation told the customer: no separate "activated" notice.
    assertThat(store.notices).isEmpty();

    var attributes = subscriptionStub().describe().getTypedSearchAttributes();
    assertThat(attributes.get(SearchAttributes.SUBSCRIPTION_STATUS)).isEqualTo("ACTIVE");
    assertThat(attributes.get(SearchAttributes.ORGANIZATION_ID)).isEqualTo(ORG);
    assertThat(attributes.get(SearchAttributes.MARKETPLACE_ACCOUNT_ID)).isEqualTo(ACCOUNT);
    assertThat(attributes.get(SearchAttributes.MARKETPLACE_CUSTOMER_ID)).isEqualTo(CUSTOMER_ID);
    assertThat(attributes.get(SearchAttributes.MARKETPLACE_PRODUCT_CODE)).isEqualTo(PRODUCT);
  }

  @Test
  void supportSeesTheSubscriptionsProductAccountOrganizationAndStatusAtAGlance() {
    OnboardingWorkflow onboarding = startOnboarding();
    onboarding.authenticate(IDENTITY);
    choose(onboarding).getResult(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitSubscription(v -> ORG.equals(v.organizationId()));
    // The link started it: everything known then goes into the static summary. (The time-skipping
    // test server keeps no start metadata; SupportInspectionTest reads it on the real server.)
    assertThat(SubscriptionSignals.summary(PRODUCT, ACCOUNT,
            new SubscriptionLink(PRODUCT, ACCOUNT, ACCOUNT, CUSTOMER_ID, ORG, "Acme Analytics",
                ONBOARDING, null)))
        .isEqualTo("AWS Marketplace subscription · product prod-abc123 · AWS account 111122223333"
            + " · organization \"Acme Analytics\" (org-acme)");
    awaitTrue(() -> currentDetails().startsWith("**PENDING**, waiting for AWS to make a license"));

    deliver(LifecycleAction.SUBSCRIBE_SUCCESS);
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);

    assertThat(currentDetails())
        .startsWith("**ACTIVE**, waiting for AWS's next lifecycle event (last: `subscribe-success`")
        .contains("AWS account `111122223333` · organization \"Acme Analytics\" (`org-acme`)"
            + " on STANDARD · subscription USABLE");
    // The database steps are local activities: each is a marker that carries its summary.
    List<String> summaries =
        client.fetchHistory(SUBSCRIPTION).getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
                && e.getUserMetadata().hasSummary())
            .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                e.getUserMetadata().getSummary(), String.class, String.class))
            .toList();
    assertThat(summaries)
        .contains("Queue the onboarding's confirmation e-mail (status PENDING)",
            "Record PENDING → ACTIVE (subscribe-success)");
  }

  @Test
  void givenSubscribeSuccessAfterConnect_theOnboardingEndsAtTheLinkAndTheOwnersHearOnActivation() {
    OnboardingWorkflow onboarding = startOnboarding();
    onboarding.authenticate(IDENTITY);
    OnboardingView done = choose(onboarding).getResult(WAIT.toSeconds(), TimeUnit.SECONDS);

    // No wait for AWS: the onboarding ends as soon as the link is handed over.
    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    awaitSubscription(v -> ORG.equals(v.organizationId()));
    awaitTrue(() -> !confirmations.isEmpty());
    assertThat(confirmations).singleElement()
        .satisfies(c -> assertThat(c.subscriptionStatus()).isEqualTo(SubscriptionStatus.PENDING));
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isZero();
    long onboardingTimers =
        client.fetchHistory(OnboardingIds.workflowId(ONBOARDING)).getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED)
            .count();
    assertThat(onboardingTimers).as("no timer waits for AWS's answer").isLessThanOrEqualTo(2);

    deliver(LifecycleAction.SUBSCRIBE_SUCCESS);

    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
    awaitTrue(() -> !store.notices.isEmpty());
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
    assertThat(store.notices).singleElement()
        .satisfies(n -> {
          assertThat(n.kind()).isEqualTo(SubscriptionNotice.Kind.ACTIVATED);
          assertThat(n.organizationId()).isEqualTo(ORG);
        });
    assertThat(confirmations).hasSize(1);
  }

  @Test
  void givenTheEventFindsTheLinkInTheDatabaseBeforeTheLinkSignal_oneConfirmationNoDoubleNotice() {
    // The connect committed; before its link signal arrives, AWS's event makes the subscription
    // look the link up in the database and activate it.
    linkActivity = link -> {
      store.databaseLink = new SubscriptionLink(PRODUCT, ACCOUNT, ACCOUNT, CUSTOMER_ID, ORG,
          "Acme Analytics", ONBOARDING, OnboardingIds.workflowId(ONBOARDING));
      deliver(LifecycleAction.SUBSCRIBE_SUCCESS);
      awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
      signals.link(link);
    };
    OnboardingWorkflow onboarding = startOnboarding();
    onboarding.authenticate(IDENTITY);

    OnboardingView done = choose(onboarding).getResult(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    awaitTrue(() -> !confirmations.isEmpty());
    assertThat(confirmations).singleElement()
        .satisfies(c -> assertThat(c.subscriptionStatus()).isEqualTo(SubscriptionStatus.ACTIVE));
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isEqualTo(1);
    assertThat(store.notices).as("the running onboarding heard it: no second message").isEmpty();
  }

  @Test
  void givenSubscribeFail_theOrganizationStaysOnStarterTheOwnersHearAndTheConfirmationSaysSo() {
    deliver(LifecycleAction.SUBSCRIBE_FAIL);
    awaitSubscription(v -> v.status() == SubscriptionStatus.FAILED);

    OnboardingWorkflow onboarding = startOnboarding();
    onboarding.authenticate(IDENTITY);
    OnboardingView done = choose(onboarding).getResult(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    awaitTrue(() -> !confirmations.isEmpty() && !store.notices.isEmpty());
    assertThat(confirmations).singleElement()
        .satisfies(c -> assertThat(c.subscriptionStatus()).isEqualTo(SubscriptionStatus.FAILED));
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
    assertThat(store.notices).singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(SubscriptionNotice.Kind.FAILED));
    assertThat(subscriptionStub().describe().getTypedSearchAttributes()
        .get(SearchAttributes.SUBSCRIPTION_STATUS)).isEqualTo("FAILED");
  }

  @Test
  void givenUnsubscribeWhileTheOnboardingWaitsForTheUser_theConnectedOrganizationStaysOnStarter() {
    OnboardingWorkflow onboarding = startOnboarding();
    onboarding.authenticate(IDENTITY);
    deliver(LifecycleAction.SUBSCRIBE_SUCCESS);
    deliver(LifecycleAction.UNSUBSCRIBE_PENDING);
    deliver(LifecycleAction.UNSUBSCRIBE_SUCCESS);
    awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    assertThat(onboarding.view().step()).isEqualTo(OnboardingStep.AWAITING_ORGANIZATION);

    OnboardingView done = choose(onboarding).getResult(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    awaitSubscription(v -> ORG.equals(v.organizationId()));
    awaitTrue(() -> !confirmations.isEmpty());
    assertThat(confirmations).singleElement()
        .satisfies(c -> assertThat(c.subscriptionStatus()).isEqualTo(SubscriptionStatus.UNSUBSCRIBED));
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isZero();
    // The final flush was asked for at unsubscribe-pending, before any organization was linked.
    assertThat(store.flushes).singleElement()
        .satisfies(f -> {
          assertThat(f.organizationId()).isNull();
          assertThat(f.customerIdentifier()).isEqualTo(CUSTOMER_ID);
        });
    // Never active, so nothing "ended" for the owners; the link's history says UNSUBSCRIBED.
    assertThat(store.notices).isEmpty();
    assertThat(store.linkStatus).containsEntry(ORG, SubscriptionStatus.UNSUBSCRIBED);
  }

  // ---- the subscription on its own

  @Test
  void givenDuplicatedEvents_nothingChangesTwice() {
    link();
    LifecycleEvent success = event(LifecycleAction.SUBSCRIBE_SUCCESS, "msg-1", null);
    signals.deliver(success);
    signals.deliver(success);
    signals.deliver(event(LifecycleAction.SUBSCRIBE_SUCCESS, "msg-2", null));

    SubscriptionView view = awaitSubscription(v -> v.eventsApplied() + v.duplicatesIgnored() == 3);

    assertThat(view.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(view.duplicatesIgnored()).isEqualTo(1);
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isEqualTo(1);
    assertThat(store.notices).hasSize(1);
  }

  @Test
  void givenUnsubscribeThenResubscribe_theSameOrganizationIsReactivated() {
    link();
    deliver(LifecycleAction.SUBSCRIBE_SUCCESS);
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");

    deliver(LifecycleAction.UNSUBSCRIBE_PENDING);
    awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBE_PENDING);
    awaitTrue(() -> !store.flushes.isEmpty());
    assertThat(store.planOf(ORG)).as("usage is still billed for the last hour").isEqualTo("STANDARD");
    assertThat(store.flushes).singleElement()
        .satisfies(f -> {
          assertThat(f.organizationId()).isEqualTo(ORG);
          assertThat(f.productCode()).isEqualTo(PRODUCT);
          assertThat(f.customerKey()).isEqualTo(ACCOUNT);
          assertThat(f.awsAccountId()).isEqualTo(ACCOUNT);
        });
    assertThat(searchAttribute()).isEqualTo("UNSUBSCRIBE_PENDING");

    deliver(LifecycleAction.UNSUBSCRIBE_SUCCESS);
    awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    awaitTrue(() -> store.notices.size() == 2);
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
    assertThat(store.linkStatus).containsEntry(ORG, SubscriptionStatus.UNSUBSCRIBED);
    assertThat(store.notices.get(1).kind()).isEqualTo(SubscriptionNotice.Kind.ENDED);
    assertThat(searchAttribute()).isEqualTo("UNSUBSCRIBED");

    deliver(LifecycleAction.SUBSCRIBE_SUCCESS);
    SubscriptionView back = awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
    awaitTrue(() -> store.notices.size() == 3);
    assertThat(back.organizationId()).isEqualTo(ORG);
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
    assertThat(store.notices.get(2).kind()).isEqualTo(SubscriptionNotice.Kind.ACTIVATED);
    assertThat(store.flushes).hasSize(1);
    assertThat(searchAttribute()).isEqualTo("ACTIVE");
  }

  @Test
  void givenAnOlderEventAfterANewerOne_theOlderIsNotApplied() {
    link();
    Instant now = Instant.parse("2026-11-26T10:00:00Z");
    signals.deliver(event(LifecycleAction.UNSUBSCRIBE_SUCCESS, "late-2", now));
    signals.deliver(event(LifecycleAction.SUBSCRIBE_SUCCESS, "late-1", now.minusSeconds(60)));

    SubscriptionView view = awaitSubscription(v -> v.eventsApplied() + v.staleIgnored() == 2);

    assertThat(view.staleIgnored()).isEqualTo(1);
    assertThat(view.status()).isEqualTo(SubscriptionStatus.UNSUBSCRIBED);
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isZero();
  }

  @Test
  void givenALinkMadeBeforeSubscriptionsExisted_theFirstEventFindsItInTheDatabase() {
    // An onboarding of the old version activated at connect and started no subscription.
    store.plans.put(ORG, "STANDARD");
    store.linkStatus.put(ORG, SubscriptionStatus.ACTIVE);
    store.databaseLink =
        new SubscriptionLink(PRODUCT, ACCOUNT, ACCOUNT, CUSTOMER_ID, ORG, "Acme Analytics",
            "old-onboarding", null);

    deliver(LifecycleAction.UNSUBSCRIBE_SUCCESS);

    SubscriptionView view = awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    awaitTrue(() -> !store.notices.isEmpty());
    assertThat(view.organizationId()).isEqualTo(ORG);
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
    assertThat(store.notices).singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(SubscriptionNotice.Kind.ENDED));
  }

  @Test
  void givenManyInputs_itContinuesAsNewKeepingItsStateAndEverySignal() {
    startSubscriptionContinuingAsNewAfter(2);
    String firstRun = subscriptionStub().describe().getExecution().getRunId();
    link();
    LifecycleEvent first = event(LifecycleAction.SUBSCRIBE_SUCCESS, "burst-1", null);
    // A burst: some of these arrive while a run is continuing as new.
    signals.deliver(first);
    signals.deliver(event(LifecycleAction.UNSUBSCRIBE_PENDING, "burst-2", null));
    signals.deliver(event(LifecycleAction.UNSUBSCRIBE_SUCCESS, "burst-3", null));
    signals.deliver(event(LifecycleAction.SUBSCRIBE_SUCCESS, "burst-4", null));
    signals.deliver(first);
    signals.deliver(event(LifecycleAction.UNSUBSCRIBE_PENDING, "burst-5", null));

    SubscriptionView view = awaitSubscription(v -> v.eventsApplied() + v.duplicatesIgnored() == 6);

    assertThat(view.eventsApplied()).isEqualTo(5);
    assertThat(view.duplicatesIgnored()).as("remembered across runs").isEqualTo(1);
    assertThat(view.status()).isEqualTo(SubscriptionStatus.UNSUBSCRIBE_PENDING);
    assertThat(view.organizationId()).isEqualTo(ORG);
    assertThat(view.lastAction()).isEqualTo(LifecycleAction.UNSUBSCRIBE_PENDING);
    assertThat(store.flushes).hasSize(2);
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isEqualTo(2);
    assertThat(subscriptionStub().describe().getExecution().getRunId()).isNotEqualTo(firstRun);
    long runs =
        client.fetchHistory(SUBSCRIPTION).getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
            .filter(e -> !e.getWorkflowExecutionStartedEventAttributes()
                .getContinuedExecutionRunId().isEmpty())
            .count();
    assertThat(runs).as("the current run was continued from an earlier one").isEqualTo(1);
    assertThat(searchAttribute()).isEqualTo("UNSUBSCRIBE_PENDING");
    // Temporal shows a continued run no static summary: its current details carry the content.
    assertThat(currentDetails())
        .startsWith("AWS Marketplace subscription · product prod-abc123 · AWS account 111122223333"
            + " · organization \"Acme Analytics\" (org-acme) (continued as new from run `")
        .contains("`)\n\n**UNSUBSCRIBE_PENDING**, ");
  }

  // ---- AWS's current model (Concurrent Agreements): licenses

  private static final String ARN_1 =
      "arn:aws:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef";
  private static final String ARN_2 =
      "arn:aws:license-manager::294406891311:license:l-fedcba9876543210fedcba9876543210";
  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");

  @Test
  void givenLicenseBeforeRegistration_theRegistrationsLicenseJoinsItAndTheLinkActivates() {
    agreement(LifecycleAction.AGREEMENT_CREATED, "agmt-1", null, "NEW", T0);
    agreement(LifecycleAction.LICENSE_UPDATED, "agmt-1", ARN_1, null, T0.plusSeconds(5));
    awaitSubscription(v -> v.awsState() == AwsSubscriptionState.SUBSCRIBED);

    OnboardingView done = connectCurrentModelCustomer(ARN_1);

    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    SubscriptionView view = awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
    assertThat(view.licenses()).singleElement()
        .satisfies(l -> {
          assertThat(l.agreementId()).isEqualTo("agmt-1");
          assertThat(l.licenseArn()).isEqualTo(ARN_1);
          assertThat(l.status()).isEqualTo(LicenseStatus.USABLE);
          assertThat(l.usableFrom()).isEqualTo(T0.plusSeconds(5));
          assertThat(l.intent()).isEqualTo("NEW");
        });
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
    awaitTrue(() -> !confirmations.isEmpty());
    assertThat(confirmations).singleElement()
        .satisfies(c -> assertThat(c.subscriptionStatus()).isEqualTo(SubscriptionStatus.ACTIVE));
    assertThat(store.notices).isEmpty();
    awaitTrue(() -> store.savedLicenses.containsKey(ACCOUNT)
        && store.savedLicenses.get(ACCOUNT).organizationId() != null);
    assertThat(store.savedLicenses.get(ACCOUNT).licenses()).extracting(License::licenseArn)
        .containsExactly(ARN_1);
  }

  @Test
  void givenRegistrationBeforeLicense_itIsPaidOnlyOnceLicenseUpdatedArrives() {
    connectCurrentModelCustomer(ARN_1);
    SubscriptionView pending = awaitSubscription(v -> ORG.equals(v.organizationId()));
    assertThat(pending.status()).isEqualTo(SubscriptionStatus.PENDING);
    assertThat(pending.licenses()).singleElement()
        .satisfies(l -> assertThat(l.status()).isEqualTo(LicenseStatus.PENDING));
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");

    // Delivered late: usage counts from AWS's time, not from the arrival.
    agreement(LifecycleAction.AGREEMENT_CREATED, "agmt-1", null, "NEW", T0);
    agreement(LifecycleAction.LICENSE_UPDATED, "agmt-1", ARN_1, null, T0.plusSeconds(2));

    SubscriptionView active = awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
    assertThat(active.licenses()).singleElement()
        .satisfies(l -> {
          assertThat(l.key()).isEqualTo("agmt-1");
          assertThat(l.usableFrom()).isEqualTo(T0.plusSeconds(2));
        });
    awaitTrue(() -> !store.notices.isEmpty());
    assertThat(store.notices).singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(SubscriptionNotice.Kind.ACTIVATED));
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
  }

  @Test
  void givenCreatedAndLicenseUpdatedSharingARequestId_bothApply() {
    link();
    // Two events of one AWS request share detail.requestId; their envelope ids differ.
    signals.deliver(agreementEvent(LifecycleAction.AGREEMENT_CREATED, "evt-a", "agmt-1", null, "NEW", T0));
    signals.deliver(agreementEvent(LifecycleAction.LICENSE_UPDATED, "evt-b", "agmt-1", ARN_1, null, T0));

    SubscriptionView view = awaitSubscription(v -> v.eventsApplied() == 2);

    assertThat(view.duplicatesIgnored()).isZero();
    assertThat(view.status()).isEqualTo(SubscriptionStatus.ACTIVE);
  }

  @Test
  void givenDuplicateAndOutOfOrderEvents_theLicenseEndsWhereAwsSaysAndNeverTurnsBack() {
    link();
    LifecycleEvent deprovisioned =
        agreementEvent(LifecycleAction.LICENSE_DEPROVISIONED, "evt-3", "agmt-1", ARN_1, null,
            T0.plusSeconds(3600));
    signals.deliver(deprovisioned);
    signals.deliver(agreementEvent(LifecycleAction.LICENSE_UPDATED, "evt-2", "agmt-1", ARN_1, null, T0));
    signals.deliver(agreementEvent(LifecycleAction.AGREEMENT_CREATED, "evt-1", "agmt-1", null, "NEW",
        T0.minusSeconds(5)));
    signals.deliver(deprovisioned);

    SubscriptionView view = awaitSubscription(v -> v.eventsApplied() + v.duplicatesIgnored() == 4);

    assertThat(view.duplicatesIgnored()).isEqualTo(1);
    assertThat(view.status()).isEqualTo(SubscriptionStatus.UNSUBSCRIBED);
    assertThat(view.licenses()).singleElement()
        .satisfies(l -> {
          assertThat(l.status()).isEqualTo(LicenseStatus.ENDED);
          assertThat(l.usableFrom()).isEqualTo(T0);
          assertThat(l.revokedAt()).isEqualTo(T0.plusSeconds(3600));
          assertThat(l.intent()).isEqualTo("NEW");
        });
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isZero();
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
  }

  @Test
  void givenTwoConcurrentLicensesEndingOneAfterTheOther_itStaysPaidUntilTheLastIsGone() {
    link();
    agreement(LifecycleAction.LICENSE_UPDATED, "agmt-1", ARN_1, null, T0);
    agreement(LifecycleAction.LICENSE_UPDATED, "agmt-2", ARN_2, null, T0.plusSeconds(60));
    awaitSubscription(v -> v.licenses().size() == 2 && v.status() == SubscriptionStatus.ACTIVE);

    agreement(LifecycleAction.AGREEMENT_ENDED, "agmt-1", null, "CANCELLED", T0.plusSeconds(120));
    agreement(LifecycleAction.LICENSE_DEPROVISIONED, "agmt-1", ARN_1, null, T0.plusSeconds(180));
    SubscriptionView oneLeft = awaitSubscription(v -> v.eventsApplied() == 4);
    assertThat(oneLeft.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
    assertThat(store.flushes).as("the first license's final hour").hasSize(1);

    agreement(LifecycleAction.AGREEMENT_ENDED, "agmt-2", null, "EXPIRED", T0.plusSeconds(240));
    awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBE_PENDING);
    assertThat(store.planOf(ORG)).as("billed through the final hour").isEqualTo("STANDARD");
    agreement(LifecycleAction.LICENSE_DEPROVISIONED, "agmt-2", ARN_2, null, T0.plusSeconds(300));

    SubscriptionView gone = awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    assertThat(gone.licenses()).extracting(License::status)
        .containsExactly(LicenseStatus.ENDED, LicenseStatus.ENDED);
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
    assertThat(store.flushes).hasSize(2);
    awaitTrue(() -> store.notices.stream().anyMatch(n -> n.kind() == SubscriptionNotice.Kind.ENDED));
  }

  @Test
  void givenARenewalWithANewLicenseArn_itStaysPaidAndNoFinalHourOpens() {
    link();
    agreement(LifecycleAction.AGREEMENT_CREATED, "agmt-1", null, "NEW", T0);
    agreement(LifecycleAction.LICENSE_UPDATED, "agmt-1", ARN_1, null, T0);
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);

    agreement(LifecycleAction.AGREEMENT_CREATED, "agmt-2", null, "RENEW", T0.plusSeconds(86_400));
    agreement(LifecycleAction.LICENSE_UPDATED, "agmt-2", ARN_2, null, T0.plusSeconds(86_400));
    agreement(LifecycleAction.AGREEMENT_ENDED, "agmt-1", null, "RENEWED", T0.plusSeconds(86_401));
    agreement(LifecycleAction.LICENSE_DEPROVISIONED, "agmt-1", ARN_1, null, T0.plusSeconds(86_402));

    SubscriptionView renewed = awaitSubscription(v -> v.eventsApplied() == 6);
    assertThat(renewed.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(renewed.licenses())
        .extracting(License::agreementId, License::status, License::intent, License::endReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("agmt-1", LicenseStatus.ENDED, "NEW", "RENEWED"),
            org.assertj.core.groups.Tuple.tuple("agmt-2", LicenseStatus.USABLE, "RENEW", null));
    assertThat(store.flushes).as("a renewal is not a cancellation").isEmpty();
    assertThat(store.transitionsTo(SubscriptionStatus.UNSUBSCRIBE_PENDING)).isZero();
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
  }

  @Test
  void givenALegacyEventBeforeTheRegistrationMapsItsIdentifier_itWaitsThenApplies()
      throws Exception {
    store.identifierAccounts.clear();
    deliver(LifecycleAction.SUBSCRIBE_SUCCESS);
    String waitingId = SubscriptionIds.identifierWorkflowId(PRODUCT, CUSTOMER_ID);
    awaitTrue(() -> {
      try {
        return client.newWorkflowStub(CustomerIdentifierWorkflow.class, waitingId).waiting() == 1;
      } catch (RuntimeException notYet) {
        return false;
      }
    });
    assertThat(signals.view(PRODUCT, ACCOUNT)).as("no workflow drives the account yet").isEmpty();

    // The registration resolves the identifier to its account: written first, then told.
    store.identifierAccounts.put(CUSTOMER_ID, ACCOUNT);
    signals.accountKnown(PRODUCT, CUSTOMER_ID, ACCOUNT);

    SubscriptionView view = awaitSubscription(v -> v.awsState() == AwsSubscriptionState.SUBSCRIBED);
    assertThat(view.customerIdentifier()).isEqualTo(CUSTOMER_ID);
    assertThat(view.licenses()).singleElement()
        .satisfies(l -> assertThat(l.key()).isEqualTo(License.LEGACY_KEY));
    // Polled, not getResult: a client waiting for a result lets the time-skipping server skip
    // time, and with nothing else running it would skip to the idle subscription's run timeout.
    awaitTrue(() -> client.newUntypedWorkflowStub(waitingId).describe().getRawDescription()
        .getWorkflowExecutionInfo().getStatus()
        == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    link();
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);
    // Later events find the mapping at once.
    deliver(LifecycleAction.UNSUBSCRIBE_PENDING);
    awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBE_PENDING);
  }

  private OnboardingView connectCurrentModelCustomer(String licenseArn) {
    ResolvedCustomer current = new ResolvedCustomer(PRODUCT, ACCOUNT, null, licenseArn);
    when(marketplace.resolveCustomer(TOKEN)).thenReturn(current);
    OnboardingWorkflow onboarding = startOnboarding();
    onboarding.authenticate(IDENTITY);
    return choose(onboarding).getResult(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private void agreement(
      LifecycleAction action, String agreementId, String arn, String detail, Instant at) {
    signals.deliver(agreementEvent(action, "evt-" + (++messages), agreementId, arn, detail, at));
  }

  private static LifecycleEvent agreementEvent(
      LifecycleAction action,
      String id,
      String agreementId,
      String arn,
      String detail,
      Instant at) {
    return new LifecycleEvent(action, PRODUCT, ACCOUNT, null, ACCOUNT, id, at, "test",
        action == LifecycleAction.AGREEMENT_CREATED ? "offer-1" : null, null, agreementId, arn,
        detail);
  }

  // ---- helpers

  private void deliver(LifecycleAction action) {
    signals.deliver(event(action, "msg-" + (++messages), null));
  }

  private static LifecycleEvent event(LifecycleAction action, String messageId, Instant at) {
    return new LifecycleEvent(
        action, PRODUCT, CUSTOMER_ID, CUSTOMER_ID, null, messageId, at, "test", null, null);
  }

  private void link() {
    signals.link(
        new SubscriptionLink(PRODUCT, ACCOUNT, ACCOUNT, CUSTOMER_ID, ORG, "Acme Analytics",
            ONBOARDING, null));
  }

  private void startSubscriptionContinuingAsNewAfter(int inputs) {
    SubscriptionWorkflow workflow =
        client.newWorkflowStub(
            SubscriptionWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(SUBSCRIPTION).setTaskQueue(taskQueue).build());
    WorkflowClient.start(workflow::run, new SubscriptionInput(PRODUCT, ACCOUNT, null, inputs));
  }

  private OnboardingWorkflow startOnboarding() {
    OnboardingWorkflow onboarding =
        client.newWorkflowStub(
            OnboardingWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(OnboardingIds.workflowId(ONBOARDING))
                .setTaskQueue(taskQueue)
                .build());
    WorkflowClient.start(
        onboarding::run,
        new OnboardingRequest(ONBOARDING, TOKEN, null, Duration.ofHours(1), Duration.ofHours(2)));
    return onboarding;
  }

  private static WorkflowUpdateHandle<OnboardingView> choose(OnboardingWorkflow onboarding) {
    return WorkflowStub.fromTyped(onboarding)
        .startUpdate(
            "chooseOrganization",
            WorkflowUpdateStage.ACCEPTED,
            OnboardingView.class,
            ConnectChoice.existing(ORG).by(IdentityRef.of(IDENTITY)));
  }

  private String currentDetails() {
    return subscriptionStub()
        .query("__temporal_workflow_metadata", WorkflowMetadata.class)
        .getCurrentDetails();
  }

  private WorkflowStub subscriptionStub() {
    return client.newUntypedWorkflowStub(SUBSCRIPTION);
  }

  private String searchAttribute() {
    return subscriptionStub().describe().getTypedSearchAttributes()
        .get(SearchAttributes.SUBSCRIPTION_STATUS);
  }

  private SubscriptionView awaitSubscription(Predicate<SubscriptionView> condition) {
    SubscriptionView[] last = new SubscriptionView[1];
    awaitTrue(() -> {
      last[0] = signals.view(PRODUCT, ACCOUNT).orElse(null);
      return last[0] != null && condition.test(last[0]);
    });
    return last[0];
  }

  private OnboardingView awaitOnboarding(OnboardingWorkflow onboarding, Predicate<OnboardingView> condition) {
    OnboardingView[] last = new OnboardingView[1];
    awaitTrue(() -> {
      last[0] = onboarding.view();
      return condition.test(last[0]);
    });
    return last[0];
  }

  /** Polls in real time: activities and signals run at once, no workflow timer is involved. */
  private static void awaitTrue(Supplier<Boolean> condition) {
    Polling.awaitTrue(WAIT, condition);
  }
}
