package io.mpconnect.workflows.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.testing.ReplayHistories;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The final hour kept open, on the time-skipping test server: the flush sends what is already due
 * at once, keeps the current partial hour open on a durable timer and closes it close to the end
 * of AWS's final hour, so usage the product reports during that hour is in what it sends.
 */
class FinalHourWorkflowTest {
  private final Ledger ledger = new Ledger();

  @RegisterExtension
  final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(FinalFlushWorkflowImpl.class)
          .setActivityImplementations(ledger)
          .setDoNotStart(false)
          .build();

  /**
   * The product's usage and the records the flush makes of it: {@code prepareFinalFlush} takes
   * all usage reported up to the (skipped) time it runs, as the real aggregation takes the queue.
   */
  static final class Ledger implements MeteringLedgerActivities, MeteringSenderActivities {
    record Usage(Instant reportedAt, long quantity) {}

    volatile TestWorkflowEnvironment env;
    final List<Usage> usage = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Instant> aggregatedAt = new CopyOnWriteArrayList<>();
    final List<Instant> sentAt = new CopyOnWriteArrayList<>();
    volatile long aggregated;
    volatile int pending;
    /** The finished hours' records the hourly runs left unanswered. */
    volatile int finishedHoursPending = 2;

    Instant now() {
      return Instant.ofEpochMilli(env.currentTimeMillis());
    }

    @Override
    public FlushPlan prepareFinalFlush(FinalFlushRequest request) {
      Instant now = now();
      calls.add("prepareFinalFlush");
      aggregatedAt.add(now);
      aggregated = usage.stream().filter(u -> !u.reportedAt().isAfter(now))
          .mapToLong(Usage::quantity).sum();
      pending = 1;
      return new FlushPlan(request.productCode(), request.awsAccountId(), 1, 1,
          request.finalHourStart().plus(Duration.ofHours(1)));
    }

    @Override
    public List<BatchCursor> planPages(SendScope scope, int batchesPerPage) {
      throw new UnsupportedOperationException(); // the hourly runs' only
    }

    @Override
    public BatchPage planBatches(
        SendScope scope, BatchCursor after, BatchCursor until, int maxBatches) {
      int records = finishedHoursPending + pending;
      return new BatchPage(records == 0 ? List.of() : List.of(new SendBatch(
          scope.productCode(), "api_calls", null, scope.awsAccountId(), 1, records, records)),
          null, 0);
    }

    @Override
    public int countPending(SendScope scope) {
      return finishedHoursPending + pending;
    }

    @Override
    public BatchResult sendBatch(SendBatch batch) {
      return new BatchResult(sendCustomer(batch.productCode(), batch.awsAccountId()), List.of());
    }

    @Override
    public SendProgress sendCustomer(String productCode, String awsAccountId) {
      calls.add("send");
      sentAt.add(now());
      int answered = finishedHoursPending + pending;
      finishedHoursPending = 0;
      pending = 0;
      return new SendProgress(1, 0, 0, answered, 0, 0, 0, 0, false);
    }

    @Override
    public DueHours dueHours(Instant now) {
      throw new UnsupportedOperationException();
    }

    @Override
    public HourPlan prepareHour(Instant hour) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MeteringRunResult finishHour(RunFinish finish) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SendProgress sendHour(Instant hour) {
      throw new UnsupportedOperationException();
    }
  }

  private static FinalFlushWorkflow flushStub(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        FinalFlushWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
  }

  @Test
  void usageReportedAtMinutes5And30And50OfTheFinalHourIsInWhatTheFlushSends(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    ledger.env = env;
    Instant end = Instant.ofEpochMilli(env.currentTimeMillis());
    ledger.usage.add(new ExpectedUsage(end, 5, 7).usage());
    ledger.usage.add(new ExpectedUsage(end, 30, 11).usage());
    ledger.usage.add(new ExpectedUsage(end, 50, 13).usage());
    ledger.usage.add(new ExpectedUsage(end, 58, 1000).usage()); // after the final send
    // The hook's request with a 5-minute margin: the current hour is sent 55 minutes after the end.
    FinalFlushRequest request =
        new FinalFlushRequest("prod-x", "111122223333", null, "111122223333", null, end, 3)
            .withEndedAt(end)
            .withFinalHourAt(end.plus(Duration.ofMinutes(55)));
    String id = MeteringIds.flushWorkflowId("prod-x", "111122223333", 3);

    FlushResult result = flushStub(client, worker, id).flush(request);

    ReplayHistories.recordIfAsked(client, id, "metering-batches-final-flush-final-hour-kept");
    assertThat(ledger.calls).containsExactly("send", "prepareFinalFlush", "send");
    // Finished hours at once; the current hour closed once, 55 minutes after the end.
    assertThat(ledger.sentAt.get(0)).isBefore(end.plus(Duration.ofMinutes(1)));
    assertThat(ledger.aggregatedAt).singleElement().satisfies(at -> assertThat(at)
        .isBetween(end.plus(Duration.ofMinutes(55)), end.plus(Duration.ofMinutes(56))));
    assertThat(ledger.sentAt.get(1)).isBefore(end.plus(FinalFlushRequest.FINAL_HOUR));
    assertThat(ledger.aggregated).isEqualTo(7 + 11 + 13);
    assertThat(result.pending()).isZero();
    assertThat(result.sending().succeeded()).isEqualTo(3);
  }

  @Test
  void withTheDefaultMarginTheCurrentHourIsSent50MinutesAfterTheEndBeforeAwsWindowCloses(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    ledger.env = env;
    Instant requested = Instant.ofEpochMilli(env.currentTimeMillis());
    ledger.usage.add(new ExpectedUsage(requested, 5, 7).usage());
    ledger.usage.add(new ExpectedUsage(requested, 30, 11).usage());
    ledger.usage.add(new ExpectedUsage(requested, 49, 13).usage());
    // A subscription's request that names neither the end nor the send (the old constructor).
    FinalFlushRequest request =
        new FinalFlushRequest("prod-x", "cust-9", "cust-9", "111122229999", null, requested, 4);
    String id = MeteringIds.flushWorkflowId("prod-x", "cust-9", 4);

    FlushResult result = flushStub(client, worker, id).flush(request);

    assertThat(ledger.aggregatedAt).singleElement().satisfies(at -> assertThat(at)
        .isBetween(requested.plus(Duration.ofMinutes(50)), requested.plus(Duration.ofMinutes(51))));
    assertThat(ledger.sentAt).last().satisfies(at ->
        assertThat(at).isBefore(requested.plus(FinalFlushRequest.FINAL_HOUR)));
    assertThat(ledger.aggregated).isEqualTo(7 + 11 + 13);
    assertThat(result.pending()).isZero();
  }

  @Test
  void whileTheFinalHourIsOpenSupportSeesItWaitingAndItsHistoryReplays(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) throws Exception {
    ledger.env = env;
    Instant end = Instant.ofEpochMilli(env.currentTimeMillis());
    FinalFlushRequest request =
        new FinalFlushRequest("prod-x", "cust-7", "cust-7", "111122227777", null, end, 1)
            .withFinalHourAt(end.plus(Duration.ofMinutes(50)));
    String id = MeteringIds.flushWorkflowId("prod-x", "cust-7", 1);
    FinalFlushWorkflow flush = flushStub(client, worker, id);

    WorkflowClient.start(flush::flush, request);
    env.sleep(Duration.ofMinutes(20));
    MeteringProgress waiting = flush.progress();
    FlushResult result =
        client.newUntypedWorkflowStub(id).getResult(FlushResult.class);

    assertThat(waiting.phase()).isEqualTo("WAITING_FOR_FINAL_HOUR");
    assertThat(ledger.calls).containsExactly("send", "prepareFinalFlush", "send");
    assertThat(result.pending()).isZero();
    WorkflowReplayer.replayWorkflowExecution(client.fetchHistory(id),
        FinalFlushWorkflowImpl.class);
  }

  @Test
  void aRequestWhoseFinalHourIsAlreadyOverSendsEverythingAtOnce(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    ledger.env = env;
    Instant now = Instant.ofEpochMilli(env.currentTimeMillis());
    // The subscription asked late: the end began 58 minutes ago.
    FinalFlushRequest request =
        new FinalFlushRequest("prod-x", "cust-8", "cust-8", "111122228888", null, now, 2)
            .withEndedAt(now.minus(Duration.ofMinutes(58)));

    FlushResult result =
        flushStub(client, worker, MeteringIds.flushWorkflowId("prod-x", "cust-8", 2))
            .flush(request);

    assertThat(ledger.calls).containsExactly("prepareFinalFlush", "send");
    assertThat(ledger.aggregatedAt.get(0)).isBefore(now.plus(Duration.ofMinutes(1)));
    assertThat(result.pending()).isZero();
  }

  /** Usage the product reports {@code minute} minutes after the end began. */
  private record ExpectedUsage(Instant end, int minute, long quantity) {
    Ledger.Usage usage() {
      return new Ledger.Usage(end.plus(Duration.ofMinutes(minute)), quantity);
    }
  }
}
