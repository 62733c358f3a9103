package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.activities.FailureTypes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;

public class MeteringWorkflowImpl implements MeteringWorkflow {
  // Records AWS left unanswered (throttling beyond the activity's patience, UnprocessedRecords,
  // an outage) are retried with growing pauses until the hour leaves the metering window.
  static final Duration FIRST_PAUSE = Duration.ofMinutes(1);
  static final Duration LONGEST_PAUSE = Duration.ofMinutes(10);

  /**
   * The getVersion change id of sending one call per activity through the rate-limited queue
   * ({@link BatchSending}), in child workflows of a page each. Before it, one {@code sendHour}
   * activity made every call, paced per worker process only.
   */
  static final String SEND_BATCHES = "send-batches";

  private static final Logger log = Workflow.getLogger(MeteringWorkflowImpl.class);

  private final MeteringLedgerActivities ledger =
      Workflow.newActivityStub(MeteringLedgerActivities.class, MeteringOptions.LEDGER);
  private final MeteringSenderActivities sender =
      Workflow.newActivityStub(MeteringSenderActivities.class, MeteringOptions.SENDING);

  private Instant hour;
  private String phase = "AGGREGATING";
  private HourPlan plan;
  private SendProgress sent = SendProgress.NONE;
  private int attempts;
  private String lastError;

  @Override
  public MeteringRunResult meter(MeteringRunRequest request) {
    hour = request.hour();
    if (!MeteringIds.isHour(hour)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "not the start of an hour: " + hour, FailureTypes.INVALID_INPUT);
    }
    plan = ledger.prepareHour(hour);
    int pending = plan.pending();
    boolean batches =
        pending > 0 && Workflow.getVersion(SEND_BATCHES, Workflow.DEFAULT_VERSION, 1) >= 1;
    Duration pause = FIRST_PAUSE;
    RunOutcome outcome = RunOutcome.COMPLETED;
    while (pending > 0) {
      phase = "SENDING";
      attempts++;
      SendAttempt attempt = batches ? sendInBatches() : sendInOneActivity(pending);
      if (attempt.stopped()) {
        // AWS refuses the calls themselves: the next scheduled run tries again while the hour
        // is inside the window, by then perhaps after someone fixed the configuration.
        log.error("metering {} stopped: {}", hour, lastError);
        outcome = RunOutcome.FAILED;
        break;
      }
      pending = attempt.pending();
      if (pending == 0 || attempt.again()) {
        continue;
      }
      if (lastError != null) {
        log.warn("metering {}: sending failed for now: {}", hour, lastError);
      }
      Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      if (!now.plus(pause).isBefore(plan.giveUpAt())) {
        outcome = RunOutcome.EXPIRED;
        break;
      }
      phase = "WAITING";
      Workflow.sleep(pause);
      pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
    }
    phase = "FINISHING";
    MeteringRunResult result =
        ledger.finishHour(new RunFinish(hour, outcome, sent.calls(), sent.throttles(), lastError));
    phase = "DONE";
    Workflow.getMetricsScope()
        .tagged(Map.of("outcome", result.outcome().name()))
        .counter("mpconnect_metering_hours")
        .inc(1);
    return result;
  }

  /**
   * What a sending attempt left: records still pending; {@code again} to go on at once (the
   * activity ran out of time, not of progress); {@code stopped} when no retry can cure it.
   */
  private record SendAttempt(int pending, boolean again, boolean stopped) {}

  private SendAttempt sendInBatches() {
    BatchPassResult pass = sendPass();
    sent = sent.plus(pass.progress());
    lastError = pass.error();
    if (pass.stopped()) {
      return new SendAttempt(0, false, true);
    }
    return new SendAttempt(ledger.countPending(SendScope.ofHour(hour)), false, false);
  }

  /** Histories before {@link #SEND_BATCHES}: one activity sends the whole hour. */
  private SendAttempt sendInOneActivity(int pendingBefore) {
    try {
      SendProgress progress = sender.sendHour(hour);
      sent = sent.plus(progress);
      lastError = null;
      return new SendAttempt(progress.pending(), progress.outOfTime(), false);
    } catch (ActivityFailure failure) {
      lastError = describe(failure);
      return new SendAttempt(pendingBefore, false, isFinal(failure));
    }
  }

  /** One pass over the hour's pending records, a child workflow per page of calls. */
  private BatchPassResult sendPass() {
    SendScope scope = SendScope.ofHour(hour);
    SendProgress total = SendProgress.NONE;
    BatchCursor after = BatchCursor.START;
    for (int page = 1; after != null; page++) {
      MeteringBatchesWorkflow child =
          Workflow.newChildWorkflowStub(
              MeteringBatchesWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(MeteringIds.sendPageWorkflowId(hour, attempts, page))
                  .build());
      BatchPassResult result = child.send(new BatchPassRequest(scope, after));
      total = total.plus(result.progress());
      if (result.error() != null) {
        return new BatchPassResult(total, null, result.error(), result.stopped());
      }
      after = result.next();
    }
    return new BatchPassResult(total, null, null, false);
  }

  @Override
  public MeteringProgress progress() {
    return new MeteringProgress(hour, phase, plan, sent, attempts, lastError);
  }

  static boolean isFinal(ActivityFailure failure) {
    return failure.getCause() instanceof ApplicationFailure application
        && (application.isNonRetryable()
            || FailureTypes.AWS_BAD_REQUEST.equals(application.getType())
            || FailureTypes.AWS_API_DISABLED.equals(application.getType()));
  }

  static String describe(ActivityFailure failure) {
    Throwable cause = failure.getCause() == null ? failure : failure.getCause();
    return cause instanceof ApplicationFailure application
        ? application.getType() + ": " + application.getOriginalMessage()
        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
