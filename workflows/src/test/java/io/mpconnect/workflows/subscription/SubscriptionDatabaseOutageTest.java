package io.mpconnect.workflows.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkflowImplementationOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL down while the subscription applies a transition: the local activity is retried
 * until the database answers; past its deadline the step becomes a regular activity retried
 * without one. The transition is applied once either way, never lost.
 */
class SubscriptionDatabaseOutageTest {
  private static final String PRODUCT = "prod-abc123";
  private static final String ACCOUNT = "111122223333";
  private static final String CUSTOMER_ID = "cust-111122223333";
  private static final String SUBSCRIPTION = SubscriptionIds.workflowId(PRODUCT, ACCOUNT);
  private static final String ORG = "org-acme";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SUMMARY = "Record PENDING → ACTIVE (link)";

  private final FakeSubscriptionStore store = new FakeSubscriptionStore();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private SubscriptionSignals signals;

  @AfterEach
  void close() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void givenTheDatabaseDownForSeconds_theLocalActivityIsRetriedAndTheTransitionApplied() {
    start(WorkflowImplementationOptions.getDefaultInstance());
    store.transitionOutage.set(2);

    activate();

    assertThat(store.transitionCalls.get()).as("two failed attempts, then one that worked")
        .isEqualTo(3);
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isEqualTo(1);
    List<HistoryEvent> events = client.fetchHistory(SUBSCRIPTION).getEvents();
    assertThat(events).filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .as("retried within the workflow task, never as an activity").isEmpty();
    assertThat(summaries(events, EventType.EVENT_TYPE_MARKER_RECORDED)).contains(SUMMARY);
  }

  @Test
  void givenTheDatabaseDownPastTheLocalDeadline_theStepIsRetriedAsAnActivityAndApplied() {
    // A deadline of 2 s instead of 10 min (the worker's options for ApplyTransition take
    // precedence over the stub's): the local attempts at 0 s and 1 s fail, then the activity's.
    start(WorkflowImplementationOptions.newBuilder()
        .setLocalActivityOptions(Map.of("ApplyTransition",
            LocalActivityOptions.newBuilder().setScheduleToCloseTimeout(Duration.ofSeconds(2))
                .build()))
        .build());
    store.transitionOutage.set(4);

    SubscriptionView view = activate();

    assertThat(view.lastError()).isNull();
    assertThat(store.transitionCalls.get()).isEqualTo(5);
    assertThat(store.transitionsTo(SubscriptionStatus.ACTIVE)).isEqualTo(1);
    List<HistoryEvent> events = client.fetchHistory(SUBSCRIPTION).getEvents();
    assertThat(summaries(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED))
        .as("the step again, as an activity under the same summary").containsExactly(SUMMARY);
  }

  private SubscriptionView activate() {
    signals.deliver(new LifecycleEvent(LifecycleAction.SUBSCRIBE_SUCCESS, PRODUCT, CUSTOMER_ID,
        CUSTOMER_ID, null, "msg-1", null, "test", null, null));
    signals.link(new SubscriptionLink(PRODUCT, ACCOUNT, ACCOUNT, CUSTOMER_ID, ORG,
        "Acme Analytics", "onboarding-1", null));
    SubscriptionView[] last = new SubscriptionView[1];
    awaitTrue(() -> {
      last[0] = signals.view(PRODUCT, ACCOUNT).orElse(null);
      return last[0] != null && last[0].status() == SubscriptionStatus.ACTIVE;
    });
    assertThat(store.planOf(ORG)).isEqualTo("STANDARD");
    return last[0];
  }

  private void start(WorkflowImplementationOptions options) {
    env = TestWorkflowEnvironment.newInstance();
    for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    String taskQueue = "database-outage";
    Worker worker = env.newWorker(taskQueue);
    worker.registerWorkflowImplementationFactory(
        SubscriptionWorkflow.class, () -> new SubscriptionWorkflowImpl(), options);
    worker.registerActivitiesImplementations(store);
    store.identifierAccounts.put(CUSTOMER_ID, ACCOUNT);
    env.start();
    client = env.getWorkflowClient();
    signals = new SubscriptionSignals(client, taskQueue, store::accountOfIdentifier);
  }

  private static List<String> summaries(List<HistoryEvent> events, EventType type) {
    return events.stream()
        .filter(e -> e.getEventType() == type && e.getUserMetadata().hasSummary())
        .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
            e.getUserMetadata().getSummary(), String.class, String.class))
        .toList();
  }

  private static void awaitTrue(Supplier<Boolean> condition) {
    Polling.awaitTrue(WAIT, condition);
  }
}
