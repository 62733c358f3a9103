package io.mpconnect.workflows.metering;

import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

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
    SendProgress total = SendProgress.NONE;
    BatchCursor after = BatchCursor.START;
    do {
      BatchPassResult page = sendPage(scope, after, null);
      total = total.plus(page.progress());
      if (page.error() != null) {
        return new BatchPassResult(total, null, page.error(), page.stopped());
      }
      after = page.next();
    } while (after != null);
    return new BatchPassResult(total, null, null, false);
  }

  /** Plans and sends one page of calls after {@code after}, up to {@code until} (null: the end). */
  BatchPassResult sendPage(SendScope scope, BatchCursor after, BatchCursor until) {
    BatchPage page = ledger.planBatches(scope, after, until, BATCHES_PER_PAGE);
    Deque<SendBatch> waiting = new ArrayDeque<>(page.batches());
    List<Promise<BatchResult>> inFlight = new ArrayList<>();
    SendProgress progress = SendProgress.NONE;
    String error = null;
    boolean stopped = false;
    while (!waiting.isEmpty() || !inFlight.isEmpty()) {
      while (error == null && !waiting.isEmpty() && inFlight.size() < IN_FLIGHT) {
        inFlight.add(Async.function(sender::sendBatch, waiting.poll()));
      }
      if (inFlight.isEmpty()) {
        break; // stopped: what is waiting stays pending for the next pass
      }
      try {
        Promise.anyOf(inFlight).get();
      } catch (ActivityFailure ignored) {
        // looked at below, with every other call that completed
      }
      for (Iterator<Promise<BatchResult>> it = inFlight.iterator(); it.hasNext(); ) {
        Promise<BatchResult> call = it.next();
        if (!call.isCompleted()) {
          continue;
        }
        it.remove();
        try {
          BatchResult result = call.get();
          progress = progress.plus(result.progress());
          result.halves().forEach(waiting::addFirst);
        } catch (ActivityFailure failure) {
          error = MeteringWorkflowImpl.describe(failure);
          stopped |= MeteringWorkflowImpl.isFinal(failure);
        }
      }
    }
    return new BatchPassResult(progress, error == null ? page.next() : null, error, stopped);
  }
}
