package io.mpconnect.workflows.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.activities.NotificationActivities;
import io.mpconnect.workflows.messages.AbandonmentNotice;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.ReminderRequest;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeKey;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a typical connected journey costs the subscription workflow in history events, with the
 * database steps as activities (the code before {@link SubscriptionWorkflowImpl#LOCAL_STORE_STEPS_CHANGE},
 * as {@link SubscriptionWorkflowImpl#beforeLocalStoreSteps()} still runs it) and as local
 * activities with one search attribute upsert per workflow task (now). The journey: AWS's
 * Agreement Created and License Updated arrive before the registration, then the onboarding hands
 * over the link with the confirmation to send; the subscription saves the licenses, activates and
 * queues the confirmation.
 */
class SubscriptionHistorySizeTest {
  private static final String PRODUCT = "prod-abc123";
  private static final String ACCOUNT = "111122223333";
  private static final String SUBSCRIPTION = SubscriptionIds.workflowId(PRODUCT, ACCOUNT);
  private static final String ORG = "org-acme";
  private static final String ARN =
      "arn:aws:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef";
  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * The bound, derived from the journey's shape: the started event (1); three inputs (the two
   * events and the link), each a signal and one workflow task, scheduled, started and completed
   * (3 x 4); the markers of the versions asked (licenses, local-store-steps, entitlements and its
   * pricing side effect: 4); one marker per database step (FindLink and SaveLicenses for each
   * event; SaveLicenses, ApplyTransition and EnqueueConfirmation for the link: 7); at most one
   * upsert per input (3).
   */
  static final int BOUND = 1 + 3 * 4 + 4 + 7 + 3;

  @Test
  void aConnectedJourneysSubscriptionHistoryShrinks() {
    List<HistoryEvent> before = journey(SubscriptionWorkflowImpl::beforeLocalStoreSteps);
    List<HistoryEvent> after = journey(SubscriptionWorkflowImpl::new);

    System.out.printf(
        "Subscription history of a connected journey: %d events before (database steps as"
            + " activities), %d after (local activities, one upsert per workflow task); bound %d%n"
            + "  before: %s%n  after:  %s%n",
        before.size(), after.size(), BOUND, byType(before), byType(after));
    assertThat(count(before, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED))
        .as("the code before schedules the 7 database steps as activities").isEqualTo(7);
    assertThat(count(after, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED))
        .as("no database step is a regular activity").isZero();
    assertThat(after).filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
            && e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity"))
        .as("one marker per database step, each saying what it was for").hasSize(7)
        .allMatch(e -> e.getUserMetadata().hasSummary());
    assertThat(count(after, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES))
        .as("one upsert per workflow task that changed an attribute")
        .isLessThan(count(before, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES));
    assertThat(after.size()).isLessThanOrEqualTo(BOUND).isLessThan(before.size() / 2);
  }

  /** Runs the journey on a fresh time-skipping server; returns the subscription's history. */
  private static List<HistoryEvent> journey(Supplier<SubscriptionWorkflowImpl> implementation) {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
        env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
      String taskQueue = "history-size";
      Worker worker = env.newWorker(taskQueue);
      worker.registerWorkflowImplementationFactory(
          SubscriptionWorkflow.class, implementation::get);
      FakeSubscriptionStore store = new FakeSubscriptionStore();
      List<ConfirmationRequest> confirmations = new CopyOnWriteArrayList<>();
      worker.registerActivitiesImplementations(store, new Confirmations(confirmations));
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      SubscriptionSignals signals =
          new SubscriptionSignals(client, taskQueue, store::accountOfIdentifier);

      // Each input waits for the last one's effects without queries: the time-skipping server
      // records a workflow task for a query that arrives while one runs (the real server does
      // not), which would count the test's polling.
      signals.deliver(event(LifecycleAction.AGREEMENT_CREATED, "evt-1", null, "NEW", T0));
      awaitIdle(client, () -> savedSequence(store) == 1);
      signals.deliver(event(LifecycleAction.LICENSE_UPDATED, "evt-2", ARN, null, T0.plusSeconds(5)));
      awaitIdle(client, () -> savedSequence(store) == 2);
      // What the onboarding's connect hands over (its linkOrganization activity).
      signals.link(new SubscriptionLink(PRODUCT, ACCOUNT, ACCOUNT, null, ORG, "Acme Analytics",
          "onboarding-1", null, ARN, "user-1", null));
      awaitIdle(client, () -> !confirmations.isEmpty());
      assertThat(signals.view(PRODUCT, ACCOUNT).orElseThrow().status())
          .isEqualTo(SubscriptionStatus.ACTIVE);
      assertThat(confirmations).singleElement()
          .satisfies(c -> assertThat(c.subscriptionStatus()).isEqualTo(SubscriptionStatus.ACTIVE));
      assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
      return client.fetchHistory(SUBSCRIPTION).getEvents();
    }
  }

  private static LifecycleEvent event(
      LifecycleAction action, String id, String arn, String detail, Instant at) {
    return new LifecycleEvent(action, PRODUCT, ACCOUNT, null, ACCOUNT, id, at, "test",
        action == LifecycleAction.AGREEMENT_CREATED ? "offer-1" : null, null, "agmt-1", arn,
        detail);
  }

  private static long count(List<HistoryEvent> events, EventType type) {
    return events.stream().filter(e -> e.getEventType() == type).count();
  }

  private static Map<String, Long> byType(List<HistoryEvent> events) {
    return events.stream().collect(Collectors.groupingBy(
        e -> e.getEventType().name().replace("EVENT_TYPE_", ""), java.util.TreeMap::new,
        Collectors.counting()));
  }

  private static long savedSequence(FakeSubscriptionStore store) {
    var saved = store.savedLicenses.get(ACCOUNT);
    return saved == null ? 0 : saved.sequence();
  }

  /** Until the condition holds and the workflow has no task or activity outstanding. */
  private static void awaitIdle(WorkflowClient client, Supplier<Boolean> condition) {
    awaitTrue(() -> {
      if (!condition.get()) {
        return false;
      }
      var described = client.newUntypedWorkflowStub(SUBSCRIPTION).describe().getRawDescription();
      return described.getPendingActivitiesCount() == 0 && !described.hasPendingWorkflowTask();
    });
  }

  private static void awaitTrue(Supplier<Boolean> condition) {
    Polling.awaitTrue(WAIT, condition);
  }

  /** The confirmation queue: the only notification a subscription sends. */
  private record Confirmations(List<ConfirmationRequest> queued)
      implements NotificationActivities {
    @Override
    public void enqueueConfirmation(ConfirmationRequest request) {
      queued.add(request);
    }

    @Override
    public void enqueueReminder(ReminderRequest request) {
      throw new UnsupportedOperationException("not a subscription's call");
    }

    @Override
    public void enqueueAbandonmentNotice(AbandonmentNotice notice) {
      throw new UnsupportedOperationException("not a subscription's call");
    }
  }
}
