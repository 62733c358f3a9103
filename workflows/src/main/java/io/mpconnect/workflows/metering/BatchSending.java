package io.mpconnect.workflows.metering;

import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Workflow-side sending: plans a page of calls from the scope's pending records, then sends each
 * call as its own {@code sendBatch} activity, a bounded number in flight. The activities run on
 * the rate-limited {@code -aws-metering} task queue, so Temporal's server paces the calls across
 * every worker: one activity attempt is one BatchMeterUsage call, and a throttled call's retry
 * goes through the queue again. The first call that fails for good (AWS down or still throttled
 * after its retries, or a configuration error) stops new calls; the caller pauses and starts a
 * new pass, which plans afresh from what is still pending.
 */
final class BatchSending {
  /** Calls scheduled at once per page: enough to keep the queue's rate busy, not a flood. */
  static final int IN_FLIGHT = 20;
  /** Calls per page; a page of an hour is one child workflow of about 6 events per call. */
  static final int BATCHES_PER_PAGE = 200;

  private final MeteringLedgerActivities ledger;
  private final MeteringSenderActivities sender;

  BatchSending(MeteringLedgerActivities ledger, MeteringSenderActivities sender) {
    this.ledger = ledger;
    this.sender = sender;
  }

  /** Sends every page of the scope in this workflow (a customer's few records). */
  BatchPassResult sendAll(SendScope scope) {
    PassTally tally = new PassTally();
    BatchCursor after = BatchCursor.START;
    do {
      BatchPassResult page = sendPage(scope, after, null);
      tally.add(page.progress());
      if (page.error() != null) {
        tally.fail(page.error(), page.stopped());
        break;
      }
      after = page.next();
    } while (after != null);
    return tally.result(null);
  }

  /** Plans and sends one page of calls after {@code after}, up to {@code until} (null: the end). */
  BatchPassResult sendPage(SendScope scope, BatchCursor after, BatchCursor until) {
    BatchPage page = ledger.planBatches(scope, after, until, BATCHES_PER_PAGE);
    Deque<SendBatch> waiting = new ArrayDeque<>(page.batches());
    PassTally tally = new PassTally();
    InFlight.run(waiting, IN_FLIGHT, batch -> Async.function(sender::sendBatch, batch),
        tally::failed,
        (batch, call) -> {
          try {
            BatchResult result = call.get();
            tally.add(result.progress());
            result.halves().forEach(waiting::addFirst);
          } catch (ActivityFailure failure) {
            tally.fail(MeteringWorkflowImpl.describe(failure), MeteringWorkflowImpl.isFinal(failure));
          }
        });
    return tally.result(page.next());
  }
}
