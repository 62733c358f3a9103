package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** Scripted metering activities: counts in, counts out, every call logged. */
final class FakeMetering implements MeteringLedgerActivities, MeteringSenderActivities {
  static final Duration WINDOW = Duration.ofHours(6);

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<RunFinish> finishes = new CopyOnWriteArrayList<>();
  final Deque<Supplier<SendProgress>> sends = new ArrayDeque<>();
  volatile List<Instant> due = List.of();
  volatile int pendingAfterAggregation;
  volatile String flushAccount = "111122223333";
  /** What countPending answers: set by aggregation, then by each scripted send. */
  volatile int pendingNow;

  /**
   * The next send leaves {@code pending} records unsent: a sendHour/sendCustomer (workflows before
   * send-batches) or a pass's one sendBatch (planBatches plans all that is pending as one call).
   */
  FakeMetering thenSend(int succeeded, int pending) {
    sends.add(() -> {
      pendingNow = pending;
      return new SendProgress(1, 0, 0, succeeded, 0, 0, 0, pending, false);
    });
    return this;
  }

  FakeMetering thenFail(String type, boolean nonRetryable) {
    sends.add(() -> {
      throw nonRetryable
          ? ApplicationFailure.newNonRetryableFailure("refused", type)
          : ApplicationFailure.newFailure("unavailable", type);
    });
    return this;
  }

  static SendProgress throwRefused() {
    throw ApplicationFailure.newNonRetryableFailure("refused", FailureTypes.AWS_BAD_REQUEST);
  }

  @Override
  public DueHours dueHours(Instant now) {
    calls.add("dueHours");
    return new DueHours(due, List.of());
  }

  @Override
  public HourPlan prepareHour(Instant hour) {
    calls.add("prepareHour " + hour);
    pendingNow = pendingAfterAggregation;
    return new HourPlan(hour, pendingAfterAggregation, 0, 0, pendingAfterAggregation,
        pendingAfterAggregation, hour.plus(WINDOW));
  }

  @Override
  public MeteringRunResult finishHour(RunFinish finish) {
    calls.add("finishHour " + finish.hour() + " " + finish.outcome());
    finishes.add(finish);
    return new MeteringRunResult(finish.hour(), finish.outcome(), 0, 0, 0, 0, 0, 0,
        finish.calls(), finish.throttles(), finish.error());
  }

  @Override
  public FlushPlan prepareFinalFlush(FinalFlushRequest request) {
    calls.add("prepareFinalFlush " + request.sequence());
    pendingNow = pendingAfterAggregation;
    return new FlushPlan(request.productCode(), flushAccount, pendingAfterAggregation,
        pendingAfterAggregation, request.requestedAt().plus(Duration.ofHours(1)));
  }

  @Override
  public List<BatchCursor> planPages(SendScope scope, int batchesPerPage) {
    return List.of(BatchCursor.START);
  }

  @Override
  public BatchPage planBatches(
      SendScope scope, BatchCursor after, BatchCursor until, int maxBatches) {
    calls.add("planBatches " + scope.describe());
    int pending = pendingNow;
    List<SendBatch> batches =
        pending == 0
            ? List.of()
            : List.of(new SendBatch("prod-x", "api_calls", scope.hour(), scope.awsAccountId(), 1,
                pending, pending));
    return new BatchPage(batches, null, 0);
  }

  @Override
  public int countPending(SendScope scope) {
    calls.add("countPending " + scope.describe());
    return pendingNow;
  }

  @Override
  public synchronized BatchResult sendBatch(SendBatch batch) {
    calls.add("sendBatch " + (batch.hour() != null ? batch.hour() : batch.awsAccountId()));
    return new BatchResult(next(), List.of());
  }

  @Override
  public synchronized SendProgress sendHour(Instant hour) {
    calls.add("sendHour " + hour);
    return next();
  }

  @Override
  public synchronized SendProgress sendCustomer(String productCode, String awsAccountId) {
    calls.add("sendCustomer " + awsAccountId);
    return next();
  }

  private SendProgress next() {
    Supplier<SendProgress> step = sends.poll();
    if (step == null) {
      throw ApplicationFailure.newFailure("no scripted answer", "Unscripted");
    }
    return step.get();
  }

  long count(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).count();
  }
}
