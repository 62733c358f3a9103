package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * A leaving customer's last usage. Since {@link #FINAL_HOUR_KEPT}: what is already due (records of
 * finished hours still unanswered) is sent at once, then the flush waits on a durable timer until
 * {@link FinalFlushRequest#finalHourSendAt()}, close to the end of AWS's final hour, and only then
 * closes the current partial hour and sends it, so usage reported during AWS's final hour is
 * billed. Flushes started before that version close the current hour at once, as they always did.
 */
public class FinalFlushWorkflowImpl implements FinalFlushWorkflow {
  // About an hour remains after unsubscribe-pending: retry briskly. What is still unsent when the
  // flush gives up stays PENDING, and the hourly run of its hour sends it.
  static final Duration FIRST_PAUSE = Duration.ofSeconds(15);
  static final Duration LONGEST_PAUSE = Duration.ofMinutes(2);

  /** The getVersion change id of the kept final hour. */
  static final String FINAL_HOUR_KEPT = "final-hour-kept";

  private static final Logger log = Workflow.getLogger(FinalFlushWorkflowImpl.class);

  private final MeteringLedgerActivities ledger =
      Workflow.newActivityStub(MeteringLedgerActivities.class, MeteringOptions.LEDGER);
  private final MeteringSenderActivities sender =
      Workflow.newActivityStub(MeteringSenderActivities.class, MeteringOptions.SENDING);

  private final BatchSending batchSending =
      new BatchSending(ledger, Workflow.newActivityStub(
          MeteringSenderActivities.class, MeteringOptions.BATCH));

  /** Since {@link MeteringWorkflowImpl#SEND_BATCHES}: one call per activity, paced fleet-wide. */
  private boolean batches;
  private String phase = "AGGREGATING";
  private SendProgress sent = SendProgress.NONE;
  private int attempts;
  private String lastError;

  @Override
  public FlushResult flush(FinalFlushRequest request) {
    int version = Workflow.getVersion(FINAL_HOUR_KEPT, Workflow.DEFAULT_VERSION, 1);
    batches =
        Workflow.getVersion(MeteringWorkflowImpl.SEND_BATCHES, Workflow.DEFAULT_VERSION, 1) >= 1;
    if (version >= 1) {
      keepTheFinalHourOpen(request);
    }
    phase = "AGGREGATING";
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
      if (batches) {
        BatchPassResult pass =
            batchSending.sendAll(SendScope.ofCustomer(plan.productCode(), plan.awsAccountId()));
        sent = sent.plus(pass.progress());
        lastError = pass.error();
        if (pass.stopped()) {
          log.error("final flush of {} stopped: {}", request.customerKey(), lastError);
          break;
        }
        pending = ledger.countPending(SendScope.ofCustomer(plan.productCode(), plan.awsAccountId()));
        if (pending == 0) {
          continue;
        }
      } else {
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

  /**
   * Sends the customer's records already due (finished hours: the hourly runs create them) in one
   * attempt, then sleeps until the final send. The current hour gets no record before then, so
   * usage reported meanwhile joins it instead of waiting for an hour AWS would refuse.
   */
  private void keepTheFinalHourOpen(FinalFlushRequest request) {
    Instant sendAt = request.finalHourSendAt();
    Duration wait =
        sendAt == null
            ? Duration.ZERO
            : Duration.between(Instant.ofEpochMilli(Workflow.currentTimeMillis()), sendAt);
    if (wait.compareTo(Duration.ofMinutes(2)) < 0) {
      return; // the final send is due (about) now: it sends everything
    }
    if (request.awsAccountId() != null) {
      phase = "SENDING_FINISHED_HOURS";
      attempts++;
      if (batches) {
        // Each call retried only until shortly before the final send, which sends what is left.
        BatchSending finishedHours =
            new BatchSending(ledger, Workflow.newActivityStub(MeteringSenderActivities.class,
                ActivityOptions.newBuilder(MeteringOptions.BATCH)
                    .setScheduleToCloseTimeout(wait.minus(Duration.ofMinutes(1)))
                    .build()));
        BatchPassResult pass =
            finishedHours.sendAll(
                SendScope.ofCustomer(request.productCode(), request.awsAccountId()));
        sent = sent.plus(pass.progress());
        lastError = pass.error();
      } else {
        sendFinishedHoursInOneActivity(request, wait);
      }
      wait = Duration.between(Instant.ofEpochMilli(Workflow.currentTimeMillis()), sendAt);
    }
    if (wait.isNegative() || wait.isZero()) {
      return;
    }
    log.info("final flush of {}: the current hour stays open until {}", request.customerKey(),
        sendAt);
    phase = "WAITING_FOR_FINAL_HOUR";
    Workflow.sleep(wait);
  }

  /** Flushes before {@link MeteringWorkflowImpl#SEND_BATCHES}: one activity sends them all. */
  private void sendFinishedHoursInOneActivity(FinalFlushRequest request, Duration wait) {
    // Retried only until shortly before the final send, which sends whatever is left.
    MeteringSenderActivities finishedHours =
        Workflow.newActivityStub(
            MeteringSenderActivities.class,
            ActivityOptions.newBuilder(MeteringOptions.SENDING)
                .setScheduleToCloseTimeout(wait.minus(Duration.ofMinutes(1)))
                .build());
    try {
      SendProgress progress =
          finishedHours.sendCustomer(request.productCode(), request.awsAccountId());
      sent = sent.plus(progress);
      lastError = null;
    } catch (ActivityFailure failure) {
      lastError = MeteringWorkflowImpl.describe(failure);
      log.warn("final flush of {}: finished hours not sent yet: {}", request.customerKey(),
          lastError);
    }
  }

  @Override
  public MeteringProgress progress() {
    return new MeteringProgress(null, phase, null, sent, attempts, lastError);
  }
}
