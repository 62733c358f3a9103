package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.activities.FailureTypes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
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
  /** Page workflows of a pass running at once. */
  static final int PAGES_AT_ONCE = 2;

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

  /**
   * One pass over the hour's pending records: a child workflow per page of calls, {@link
   * #PAGES_AT_ONCE} at a time, so that while one page finishes the next keeps the rate-limited
   * queue busy. The first page that stops (AWS down, a configuration error) stops the pass.
   */
  private BatchPassResult sendPass() {
    SendScope scope = SendScope.ofHour(hour);
    List<BatchCursor> starts = ledger.planPages(scope, BatchSending.BATCHES_PER_PAGE);
    Deque<Integer> pages = new ArrayDeque<>();
    for (int page = 0; page < starts.size(); page++) {
      pages.add(page);
    }
    PassTally tally = new PassTally();
    InFlight.run(pages, PAGES_AT_ONCE,
        page -> {
          BatchCursor until = page + 1 < starts.size() ? starts.get(page + 1) : null;
          MeteringBatchesWorkflow child =
              Workflow.newChildWorkflowStub(
                  MeteringBatchesWorkflow.class,
                  ChildWorkflowOptions.newBuilder()
                      .setWorkflowId(MeteringIds.sendPageWorkflowId(hour, attempts, page + 1))
                      .build());
          return Async.function(child::send, new BatchPassRequest(scope, starts.get(page), until));
        },
        tally::failed,
        (page, result) -> {
          try {
            BatchPassResult sent = result.get();
            tally.add(sent.progress());
            if (sent.error() != null) {
              tally.fail(sent.error(), sent.stopped());
            }
          } catch (ChildWorkflowFailure failure) {
            // Its planning failed past its retries (the database): the next pass tries again.
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            tally.fail("page failed: " + cause.getMessage(), false);
          }
        });
    return tally.result(null);
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
