package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

public class FinalFlushWorkflowImpl implements FinalFlushWorkflow {
  // About an hour remains after unsubscribe-pending: retry briskly. What is still unsent when the
  // flush gives up stays PENDING, and the hourly run of its hour sends it.
  static final Duration FIRST_PAUSE = Duration.ofSeconds(15);
  static final Duration LONGEST_PAUSE = Duration.ofMinutes(2);

  private static final Logger log = Workflow.getLogger(FinalFlushWorkflowImpl.class);

  private final MeteringLedgerActivities ledger =
      Workflow.newActivityStub(MeteringLedgerActivities.class, MeteringOptions.LEDGER);
  private final MeteringSenderActivities sender =
      Workflow.newActivityStub(MeteringSenderActivities.class, MeteringOptions.SENDING);

  private String phase = "AGGREGATING";
  private SendProgress sent = SendProgress.NONE;
  private int attempts;
  private String lastError;

  @Override
  public FlushResult flush(FinalFlushRequest request) {
    FlushPlan plan = ledger.prepareFinalFlush(request);
    if (plan.awsAccountId() == null) {
      log.info("final flush of {}: customer unknown here, nothing to send", request.customerKey());
      phase = "DONE";
      return new FlushResult(plan.productCode(), null, 0, SendProgress.NONE, 0);
    }
    int pending = plan.pending();
    Duration pause = FIRST_PAUSE;
    while (pending > 0) {
      phase = "SENDING";
      attempts++;
      try {
        SendProgress progress = sender.sendCustomer(plan.productCode(), plan.awsAccountId());
        sent = sent.plus(progress);
        pending = progress.pending();
        lastError = null;
        if (pending == 0 || progress.outOfTime()) {
          continue;
        }
      } catch (ActivityFailure failure) {
        lastError = MeteringWorkflowImpl.describe(failure);
        if (MeteringWorkflowImpl.isFinal(failure)) {
          log.error("final flush of {} stopped: {}", request.customerKey(), lastError);
          break;
        }
      }
      Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      if (!now.plus(pause).isBefore(plan.giveUpAt())) {
        log.warn("final flush of {}: {} records left to the hourly runs", request.customerKey(),
            pending);
        break;
      }
      phase = "WAITING";
      Workflow.sleep(pause);
      pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
    }
    phase = "DONE";
    return new FlushResult(plan.productCode(), plan.awsAccountId(), plan.created(), sent, pending);
  }

  @Override
  public MeteringProgress progress() {
    return new MeteringProgress(null, phase, null, sent, attempts, lastError);
  }
}
