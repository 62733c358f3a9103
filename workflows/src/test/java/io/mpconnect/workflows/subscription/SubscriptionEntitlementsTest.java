package io.mpconnect.workflows.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.activities.EntitlementActivities;
import io.mpconnect.workflows.messages.EntitlementSummary;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.MarketplacePricing;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.shared.SupportText;
import io.mpconnect.workflows.testing.ReplayHistories;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Contract listings on the time-skipping test server: entitlement-updated and License Updated
 * re-read the entitlements; a license whose entitlements all expired ends at their expiry (a
 * durable timer, then a re-read); a usage listing never calls the activity.
 */
class SubscriptionEntitlementsTest {
  private static final String PRODUCT = "prod-abc123";
  private static final String ACCOUNT = "111122223333";
  private static final String CUSTOMER_ID = "cust-111122223333";
  private static final String SUBSCRIPTION = SubscriptionIds.workflowId(PRODUCT, ACCOUNT);
  private static final String ORG = "org-acme";
  private static final String ARN = "arn:aws:license-manager::294406891311:license:l-contract1";
  private static final String LEGACY = "(account)";
  private static final Duration WAIT = Duration.ofSeconds(15);
  /**
   * Histories of local store steps (SubscriptionWorkflowImpl.LOCAL_STORE_STEPS_CHANGE); the ones
   * named "subscription-entitlements-" + the test alone were recorded before it.
   */
  private static final String ENTITLEMENTS_HISTORIES = "subscription-entitlements-local-store-";

  private final FakeSubscriptionStore store = new FakeSubscriptionStore();
  private final FakeEntitlements entitlements = new FakeEntitlements();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private SubscriptionSignals signals;
  private String testName;
  private String taskQueue;
  private int messages;

  /** AWS's answers, per license ARN ({@link #LEGACY} for the whole account). */
  static final class FakeEntitlements implements EntitlementActivities {
    final Map<String, Supplier<EntitlementSummary>> answers = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public EntitlementSummary refreshEntitlements(
        String productCode, String awsAccountId, String licenseArn) {
      assertThat(productCode).isEqualTo(PRODUCT);
      assertThat(awsAccountId).isEqualTo(ACCOUNT);
      String key = licenseArn == null ? LEGACY : licenseArn;
      calls.add(key);
      Supplier<EntitlementSummary> answer = answers.get(key);
      return answer != null
          ? answer.get()
          : new EntitlementSummary(licenseArn, 0, null, false, Instant.now());
    }
  }

  private void start(MarketplacePricing pricing, TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
    env = TestWorkflowEnvironment.newInstance();
    for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    taskQueue = "entitlements-" + testName;
    Worker worker = env.newWorker(taskQueue);
    worker.registerWorkflowImplementationFactory(
        SubscriptionWorkflow.class, () -> new SubscriptionWorkflowImpl(pricing));
    worker.registerActivitiesImplementations(store, entitlements);
    client = env.getWorkflowClient();
    store.identifierAccounts.put(CUSTOMER_ID, ACCOUNT);
    signals = new SubscriptionSignals(client, taskQueue, store::accountOfIdentifier);
    env.start();
  }

  @AfterEach
  void tearDown() {
    if (env != null) {
      ReplayHistories.recordIfAsked(client, SUBSCRIPTION, ENTITLEMENTS_HISTORIES + testName);
      env.close();
    }
  }

  @Test
  void givenEntitlementUpdatedOnALegacyContractListing_itReReadsTheAccountsEntitlements(
      TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    Instant in30Days = now().plus(Duration.ofDays(30));
    entitlements.answers.put(LEGACY, () -> summary(null, 2, in30Days));
    link();
    legacy(LifecycleAction.SUBSCRIBE_SUCCESS);
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE);

    legacy(LifecycleAction.ENTITLEMENT_UPDATED);

    SubscriptionView view = awaitSubscription(v -> v.eventsApplied() == 2);
    assertThat(entitlements.calls).containsExactly(LEGACY);
    assertThat(view.lastAction()).isEqualTo(LifecycleAction.ENTITLEMENT_UPDATED);
    assertThat(view.status()).as("not a status change").isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(view.licenses()).singleElement()
        .satisfies(l -> assertThat(l.status()).isEqualTo(LicenseStatus.USABLE));
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
  }

  @Test
  void givenLicenseUpdatedOfAContract_itReadsThatLicenseAndEndsItWhenItsEntitlementsExpire(
      TestInfo info) {
    start(MarketplacePricing.CONTRACT_WITH_CONSUMPTION, info);
    Instant expiry = now().plus(Duration.ofDays(365));
    entitlements.answers.put(ARN, () -> summary(ARN, 3, expiry));
    link();
    agreement(LifecycleAction.LICENSE_UPDATED, now());
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE && v.eventsApplied() == 1);
    assertThat(entitlements.calls).containsExactly(ARN);

    // A year later, not renewed: the timer fires, AWS still says they expired.
    env.sleep(Duration.ofDays(366));

    SubscriptionView ended = awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    assertThat(entitlements.calls).as("re-read before revoking").containsExactly(ARN, ARN);
    License license = ended.licenses().get(0);
    assertThat(license.status()).isEqualTo(LicenseStatus.ENDED);
    assertThat(license.revokedAt()).as("AWS's expiry, not the timer's").isEqualTo(expiry);
    assertThat(license.endReason()).isEqualTo("ENTITLEMENT_EXPIRED");
    assertThat(store.planOf(ORG)).isEqualTo("STARTER");
    awaitTrue(() -> store.savedLicenses.get(ACCOUNT).licenses().get(0).status() == LicenseStatus.ENDED);
  }

  @Test
  void givenARenewalMovesTheExpiry_itStaysUsable(TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    Instant first = now().plus(Duration.ofDays(30));
    Instant renewed = first.plus(Duration.ofDays(365));
    entitlements.answers.put(ARN, () -> summary(ARN, 1, first));
    link();
    agreement(LifecycleAction.LICENSE_UPDATED, now());
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE && v.eventsApplied() == 1);
    entitlements.answers.put(ARN, () -> summary(ARN, 1, renewed));

    env.sleep(Duration.ofDays(31));

    awaitTrue(() -> entitlements.calls.size() == 2);
    SubscriptionView view = awaitSubscription(v -> true);
    assertThat(view.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(view.licenses().get(0).status()).isEqualTo(LicenseStatus.USABLE);
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
  }

  @Test
  void givenEntitlementsAlreadyExpiredWhenRead_itEndsTheLicenseAtOnce(TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    Instant past = now().minus(Duration.ofDays(1));
    entitlements.answers.put(ARN, () -> summary(ARN, 2, past));
    link();
    agreement(LifecycleAction.LICENSE_UPDATED, now().minus(Duration.ofDays(30)));

    SubscriptionView view = awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    assertThat(view.licenses().get(0).revokedAt()).isEqualTo(past);
    assertThat(entitlements.calls).containsExactly(ARN);
  }

  @Test
  void givenAnEntitlementWithoutExpiry_theLicenseNeverExpires(TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    entitlements.answers.put(
        ARN, () -> new EntitlementSummary(ARN, 2, now().plusSeconds(60), true, Instant.now()));
    link();
    agreement(LifecycleAction.LICENSE_UPDATED, now());
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE && v.eventsApplied() == 1);

    env.sleep(Duration.ofDays(2));

    assertThat(awaitSubscription(v -> true).status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(entitlements.calls).containsExactly(ARN);
  }

  @Test
  void givenAUsageListing_itNeverCallsTheEntitlementActivity(TestInfo info) {
    start(MarketplacePricing.USAGE, info);
    entitlements.answers.put(ARN, () -> summary(ARN, 1, now().minus(Duration.ofDays(1))));
    link();
    agreement(LifecycleAction.LICENSE_UPDATED, now());
    legacy(LifecycleAction.ENTITLEMENT_UPDATED);

    SubscriptionView view = awaitSubscription(v -> v.eventsApplied() == 2);
    env.sleep(Duration.ofDays(2));
    assertThat(view.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(entitlements.calls).isEmpty();
    assertThat(awaitSubscription(v -> true).status()).isEqualTo(SubscriptionStatus.ACTIVE);
  }

  // ---- the expiry timer as support sees it in the Temporal UI

  @Test
  void theExpiryTimerIsNamedAndARenewalCancelsItForOneToTheNewExpiry(TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    Instant first = now().plus(Duration.ofDays(30));
    Instant renewed = first.plus(Duration.ofDays(365));
    String firstTimer = usableContractLicenseExpiringAt(first);
    assertThat(timers(null, EventType.EVENT_TYPE_TIMER_CANCELED)).isEmpty();

    // AWS renewed the contract: entitlement-updated, the entitlements now end a year later.
    entitlements.answers.put(ARN, () -> summary(ARN, 1, renewed));
    legacy(LifecycleAction.ENTITLEMENT_UPDATED);
    String renewedTimer = awaitTimer(null, expiryTimer(renewed));
    assertThat(timers(null, EventType.EVENT_TYPE_TIMER_CANCELED))
        .as("the timer to the old expiry, moot after the renewal")
        .containsExactly(firstTimer);

    // An input that leaves the expiry where it was keeps the timer running.
    legacy(LifecycleAction.ENTITLEMENT_UPDATED);
    awaitSubscription(v -> v.eventsApplied() == 3);
    assertThat(startedTimers(null).values())
        .containsExactly(expiryTimer(first), expiryTimer(renewed));

    env.sleep(Duration.ofDays(396));

    awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    assertThat(timers(null, EventType.EVENT_TYPE_TIMER_FIRED)).containsExactly(renewedTimer);
    assertThat(timers(null, EventType.EVENT_TYPE_TIMER_CANCELED)).containsExactly(firstTimer);
  }

  @Test
  void givenTheLicenseEndsBeforeItsEntitlementsExpire_theExpiryTimerIsCancelled(TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    String timer = usableContractLicenseExpiringAt(now().plus(Duration.ofDays(365)));

    agreement(LifecycleAction.LICENSE_DEPROVISIONED, now().plusSeconds(60));

    awaitSubscription(v -> v.status() == SubscriptionStatus.UNSUBSCRIBED);
    awaitTrue(() -> timers(null, EventType.EVENT_TYPE_TIMER_CANCELED).contains(timer));
    assertThat(currentDetails()).doesNotContain("entitlements expire");
    env.sleep(Duration.ofDays(366));
    awaitSubscription(v -> true);
    assertThat(timers(null, EventType.EVENT_TYPE_TIMER_FIRED)).isEmpty();
    assertThat(entitlements.calls).as("nothing re-read at the moot expiry").containsExactly(ARN);
  }

  @Test
  void givenAContinueAsNew_theRunCancelsItsTimerAndTheNextRunCarriesTheSummary(TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    Instant expiry = now().plus(Duration.ofDays(30));
    startContinuingAsNewAfter(3);
    String firstRun = runId();
    String timer = usableContractLicenseExpiringAt(expiry);

    // The third input: the run continues as new once it is handled.
    legacy(LifecycleAction.ENTITLEMENT_UPDATED);

    awaitTrue(() -> !runId().equals(firstRun));
    List<HistoryEvent> first = events(firstRun);
    assertThat(timers(firstRun, EventType.EVENT_TYPE_TIMER_CANCELED)).containsExactly(timer);
    assertThat(first.get(first.size() - 1).getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    // The next run re-reads the entitlements and names its own timer.
    awaitTimer(null, expiryTimer(expiry));
    assertThat(currentDetails())
        .startsWith("AWS Marketplace subscription · product prod-abc123 · AWS account 111122223333"
            + " · organization \"Acme Analytics\" (org-acme) (continued as new from run `"
            + firstRun + "`)\n\n**ACTIVE**, waiting for AWS's next lifecycle event; entitlements"
            + " expire at " + SupportText.at(expiry.toEpochMilli()));
    ReplayHistories.recordIfAsked(
        client, SUBSCRIPTION, firstRun, ENTITLEMENTS_HISTORIES + testName + "-first-run");
  }

  @Test
  void givenTheReadAtTheExpiryFails_theReCheckTimerSaysSo(TestInfo info) {
    start(MarketplacePricing.CONTRACT, info);
    Instant first = now().plus(Duration.ofDays(30));
    Instant renewed = first.plus(Duration.ofDays(365));
    String expiryTimer = usableContractLicenseExpiringAt(first);

    entitlements.answers.put(ARN, () -> {
      throw ApplicationFailure.newFailure("refused", EntitlementActivities.ACCESS_DENIED);
    });
    env.sleep(Duration.ofDays(30).plusMinutes(1));

    awaitTrue(() -> startedTimers(null).size() == 2);
    String recheck = List.copyOf(startedTimers(null).values()).get(1);
    assertThat(recheck)
        .startsWith("entitlements re-check ")
        .endsWith(" UTC (reading license agmt-1's entitlements failed)");
    assertThat(awaitSubscription(v -> v.lastError() != null).status())
        .as("never revoked blind").isEqualTo(SubscriptionStatus.ACTIVE);

    // The next read works: AWS had renewed the contract.
    entitlements.answers.put(ARN, () -> summary(ARN, 1, renewed));
    env.sleep(EXPIRY_RECHECK_PLUS_A_MINUTE);
    awaitTimer(null, expiryTimer(renewed));
    assertThat(timers(null, EventType.EVENT_TYPE_TIMER_FIRED)).hasSize(2).contains(expiryTimer);
    assertThat(timers(null, EventType.EVENT_TYPE_TIMER_CANCELED)).isEmpty();
    assertThat(awaitSubscription(v -> true).status()).isEqualTo(SubscriptionStatus.ACTIVE);
  }

  private static final Duration EXPIRY_RECHECK_PLUS_A_MINUTE =
      SubscriptionWorkflowImpl.EXPIRY_RECHECK.plusMinutes(1);

  /**
   * The organization linked, then License Updated of a contract license (agmt-1) whose
   * entitlements all end at expiry: the id of the timer the subscription names after it.
   */
  private String usableContractLicenseExpiringAt(Instant expiry) {
    entitlements.answers.put(ARN, () -> summary(ARN, 1, expiry));
    link();
    agreement(LifecycleAction.LICENSE_UPDATED, now());
    awaitSubscription(v -> v.status() == SubscriptionStatus.ACTIVE && v.eventsApplied() == 1);
    return awaitTimer(null, expiryTimer(expiry));
  }

  private static String expiryTimer(Instant at) {
    return "contract expiry " + SupportText.at(at.toEpochMilli())
        + " (AWS: every entitlement of license agmt-1 expires)";
  }

  private void startContinuingAsNewAfter(int inputs) {
    SubscriptionWorkflow workflow =
        client.newWorkflowStub(
            SubscriptionWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(SUBSCRIPTION).setTaskQueue(taskQueue).build());
    WorkflowClient.start(workflow::run, new SubscriptionInput(PRODUCT, ACCOUNT, null, inputs));
  }

  private String runId() {
    return client.newUntypedWorkflowStub(SUBSCRIPTION).describe().getExecution().getRunId();
  }

  private String currentDetails() {
    return client.newUntypedWorkflowStub(SUBSCRIPTION)
        .query("__temporal_workflow_metadata", WorkflowMetadata.class)
        .getCurrentDetails();
  }

  /** The history of one run; of the current one when runId is null. */
  private List<HistoryEvent> events(String runId) {
    return (runId == null
            ? client.fetchHistory(SUBSCRIPTION)
            : client.fetchHistory(SUBSCRIPTION, runId))
        .getEvents();
  }

  /** Each timer the run started, by id, with the summary its TimerStarted event carries. */
  private Map<String, String> startedTimers(String runId) {
    Map<String, String> timers = new LinkedHashMap<>();
    for (HistoryEvent e : events(runId)) {
      if (e.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED) {
        timers.put(
            e.getTimerStartedEventAttributes().getTimerId(),
            e.getUserMetadata().hasSummary()
                ? DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                    e.getUserMetadata().getSummary(), String.class, String.class)
                : null);
      }
    }
    return timers;
  }

  /** The ids of the timers cancelled or fired in the run. */
  private List<String> timers(String runId, EventType type) {
    return events(runId).stream()
        .filter(e -> e.getEventType() == type)
        .map(e -> type == EventType.EVENT_TYPE_TIMER_CANCELED
            ? e.getTimerCanceledEventAttributes().getTimerId()
            : e.getTimerFiredEventAttributes().getTimerId())
        .toList();
  }

  /** Waits for the run to start a timer with this summary; its id. */
  private String awaitTimer(String runId, String summary) {
    awaitTrue(() -> startedTimers(runId).containsValue(summary));
    return startedTimers(runId).entrySet().stream()
        .filter(e -> summary.equals(e.getValue()))
        .map(Map.Entry::getKey)
        .reduce((a, b) -> b)
        .orElseThrow();
  }

  // ---- helpers

  private Instant now() {
    return Instant.ofEpochMilli(env.currentTimeMillis());
  }

  private static EntitlementSummary summary(String arn, int count, Instant latestExpiry) {
    return new EntitlementSummary(arn, count, latestExpiry, false, Instant.now());
  }

  private void link() {
    signals.link(
        new SubscriptionLink(PRODUCT, ACCOUNT, ACCOUNT, CUSTOMER_ID, ORG, "Acme Analytics",
            "onboarding-1", null));
  }

  private void legacy(LifecycleAction action) {
    signals.deliver(
        new LifecycleEvent(action, PRODUCT, CUSTOMER_ID, CUSTOMER_ID, null, "msg-" + (++messages),
            now(), "test", null, null));
  }

  private void agreement(LifecycleAction action, Instant at) {
    signals.deliver(
        new LifecycleEvent(action, PRODUCT, ACCOUNT, null, ACCOUNT, "evt-" + (++messages), at,
            "test", null, null, "agmt-1", ARN, null));
  }

  private SubscriptionView awaitSubscription(Predicate<SubscriptionView> condition) {
    SubscriptionView[] last = new SubscriptionView[1];
    awaitTrue(() -> {
      last[0] = signals.view(PRODUCT, ACCOUNT).orElse(null);
      return last[0] != null && condition.test(last[0]);
    });
    return last[0];
  }

  private static void awaitTrue(Supplier<Boolean> condition) {
    Polling.awaitTrue(WAIT, condition);
  }
}
