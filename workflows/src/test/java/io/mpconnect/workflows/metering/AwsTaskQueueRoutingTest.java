package io.mpconnect.workflows.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.activities.MarketplaceActivities;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.mpconnect.workflows.shared.AwsTaskQueueRouting;
import io.mpconnect.workflows.shared.TaskQueues;
import io.mpconnect.workflows.subscription.CustomerIdentifierWorkflowImpl;
import io.mpconnect.workflows.subscription.SubscriptionWorkflowImpl;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The worker's {@link AwsTaskQueueRouting}: the activities that call AWS are scheduled on their
 * dedicated queues (BatchMeterUsage on {@code <main>-aws-metering}, ResolveCustomer on {@code
 * <main>-aws-resolve}), everything else on the workflow's own queue; and every committed history
 * of a workflow that calls AWS replays with the routing installed (replay compares an activity's
 * id and type, not its task queue: no {@code Workflow.getVersion} is needed).
 */
class AwsTaskQueueRoutingTest {
  private static final String MAIN = "routing-test";

  private final FakeMetering fake = new FakeMetering();
  private TestWorkflowEnvironment env;
  private Worker worker;

  private static TestEnvironmentOptions routed() {
    return TestEnvironmentOptions.newBuilder()
        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
            .setWorkerInterceptors(new AwsTaskQueueRouting())
            .build())
        .build();
  }

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance(routed());
    worker = env.newWorker(MAIN);
    worker.registerWorkflowImplementationTypes(
        MeteringWorkflowImpl.class, MeteringScheduleWorkflowImpl.class,
        MeteringBatchesWorkflowImpl.class, FinalFlushWorkflowImpl.class);
    // The whole fake on the main queue: were a send scheduled there, it would be served there
    // (and the history below would say so).
    worker.registerActivitiesImplementations(fake);
    // Only the sender on the dedicated queue.
    env.newWorker(TaskQueues.awsMetering(MAIN)).registerActivitiesImplementations(
        new MeteringSenderActivities() {
          @Override
          public BatchResult sendBatch(SendBatch batch) {
            return fake.sendBatch(batch);
          }

          @Override
          public SendProgress sendHour(Instant hour) {
            return fake.sendHour(hour);
          }

          @Override
          public SendProgress sendCustomer(String productCode, String awsAccountId) {
            return fake.sendCustomer(productCode, awsAccountId);
          }
        });
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void theHourlyRunSendsOnTheMeteringQueueAndKeepsItsLedgerOnTheMainQueue() {
    Instant hour = Instant.ofEpochMilli(env.currentTimeMillis())
        .truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    fake.pendingAfterAggregation = 30;
    fake.thenSend(20, 10).thenSend(10, 0);
    WorkflowClient client = env.getWorkflowClient();

    MeteringRunResult result = client.newWorkflowStub(MeteringWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue(MAIN)
                .setWorkflowId(MeteringIds.hourWorkflowId(hour)).build())
        .meter(new MeteringRunRequest(hour));

    assertThat(result.outcome()).isEqualTo(RunOutcome.COMPLETED);
    assertThat(scheduled(client, MeteringIds.hourWorkflowId(hour))).containsExactly(
        Map.entry("MeteringPrepareHour", MAIN),
        Map.entry("MeteringPlanPages", MAIN),
        Map.entry("MeteringCountPending", MAIN),
        Map.entry("MeteringPlanPages", MAIN),
        Map.entry("MeteringCountPending", MAIN),
        Map.entry("MeteringFinishHour", MAIN));
    // The calls themselves, in each pass's child workflow.
    for (int pass = 1; pass <= 2; pass++) {
      assertThat(scheduled(client, MeteringIds.sendPageWorkflowId(hour, pass, 1))).containsExactly(
          Map.entry("MeteringPlanBatches", MAIN),
          Map.entry("MeteringSendBatch", TaskQueues.awsMetering(MAIN)));
    }
  }

  @Test
  void theFinalFlushSendsOnTheMeteringQueueToo() {
    fake.pendingAfterAggregation = 5;
    fake.thenSend(0, 5).thenSend(5, 0).thenSend(0, 0).thenSend(0, 0);
    WorkflowClient client = env.getWorkflowClient();
    String id = MeteringIds.flushWorkflowId("prod-x", "cust-1", 1);

    client.newWorkflowStub(FinalFlushWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue(MAIN).setWorkflowId(id).build())
        .flush(new FinalFlushRequest("prod-x", "cust-1", "cust-1", "111122223333", null,
            Instant.ofEpochMilli(env.currentTimeMillis()), 1));

    // Whatever the flush's steps, each send is on the metering queue, the rest on the main one.
    List<Map.Entry<String, String>> scheduled = scheduled(client, id);
    assertThat(scheduled).extracting(Map.Entry::getKey).contains("MeteringSendBatch");
    for (Map.Entry<String, String> activity : scheduled) {
      assertThat(activity.getValue()).as(activity.getKey()).isEqualTo(
          activity.getKey().startsWith("MeteringSend") ? TaskQueues.awsMetering(MAIN) : MAIN);
    }
  }

  @Test
  void onlyTheActivitiesThatCallAwsHaveDedicatedQueues() {
    assertThat(TaskQueues.activityTypes(MarketplaceActivities.class))
        .containsExactly("ResolveCustomer");
    assertThat(TaskQueues.dedicatedQueue("ResolveCustomer", "q")).contains("q-aws-resolve");
    assertThat(TaskQueues.dedicatedQueue("MeteringSendBatch", "q")).contains("q-aws-metering");
    assertThat(TaskQueues.dedicatedQueue("MeteringSendHour", "q")).contains("q-aws-metering");
    assertThat(TaskQueues.dedicatedQueue("MeteringSendCustomer", "q")).contains("q-aws-metering");
    assertThat(TaskQueues.dedicatedQueue("MeteringPrepareHour", "q")).isEmpty();
    assertThat(TaskQueues.dedicatedQueue("MeteringPlanBatches", "q")).isEmpty();
    assertThat(TaskQueues.dedicatedQueue("Connect", "q")).isEmpty();
  }

  /** (activity type, task queue it was scheduled on), in the order of the history. */
  private static List<Map.Entry<String, String>> scheduled(WorkflowClient client, String workflowId) {
    List<Map.Entry<String, String>> scheduled = new ArrayList<>();
    for (HistoryEvent event : client.fetchHistory(workflowId).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        var attributes = event.getActivityTaskScheduledEventAttributes();
        scheduled.add(Map.entry(
            attributes.getActivityType().getName(), attributes.getTaskQueue().getName()));
      }
    }
    return scheduled;
  }

  // ---- replay with the routing installed

  static List<Path> awsCallingHistories() throws IOException, URISyntaxException {
    Path dir = Path.of(AwsTaskQueueRoutingTest.class.getResource("/replay").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = files
          .filter(p -> {
            String name = p.getFileName().toString();
            return name.startsWith("onboarding-") || name.startsWith("metering-");
          })
          .sorted()
          .toList();
      assertThat(found).as("committed onboarding and metering histories").isNotEmpty();
      return found;
    }
  }

  private static TestWorkflowEnvironment replayEnv;
  private static Worker replayer;

  @BeforeAll
  static void startReplayer() {
    // The workers' data converter (codec on): the encrypted history decrypts with the test key.
    replayEnv = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder(routed())
        .setWorkflowClientOptions(io.temporal.client.WorkflowClientOptions.newBuilder()
            .setDataConverter(io.mpconnect.workflows.replay.Replay.dataConverter())
            .build())
        .build());
    replayer = replayEnv.newWorker(MAIN);
    replayer.registerWorkflowImplementationTypes(
        OnboardingWorkflowImpl.class, SubscriptionWorkflowImpl.class,
        CustomerIdentifierWorkflowImpl.class, MeteringWorkflowImpl.class,
        MeteringScheduleWorkflowImpl.class, MeteringBatchesWorkflowImpl.class,
        FinalFlushWorkflowImpl.class);
  }

  @AfterAll
  static void stopReplayer() {
    replayEnv.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("awsCallingHistories")
  void committedHistoriesReplayWithTheRouting(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(Files.readString(history)), replayer);
  }
}
