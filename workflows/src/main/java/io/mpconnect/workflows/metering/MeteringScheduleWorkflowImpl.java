package io.mpconnect.workflows.metering;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

public class MeteringScheduleWorkflowImpl implements MeteringScheduleWorkflow {
  private static final Logger log = Workflow.getLogger(MeteringScheduleWorkflowImpl.class);

  private final MeteringLedgerActivities ledger =
      Workflow.newActivityStub(MeteringLedgerActivities.class, MeteringOptions.LEDGER);

  @Override
  public ScheduledRunResult run() {
    // Every firing catches up on everything due, so a firing missed while Temporal or the workers
    // were down costs nothing but time.
    DueHours due = ledger.dueHours(Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    List<MeteringRunResult> runs = new ArrayList<>();
    List<Instant> alreadyRunning = new ArrayList<>();
    // Oldest first and one at a time: each hour's usage lands in its own hour, and two hours never
    // share the AWS call quota.
    for (Instant hour : due.hours()) {
      MeteringWorkflow child =
          Workflow.newChildWorkflowStub(
              MeteringWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(MeteringIds.hourWorkflowId(hour))
                  // A completed hour may run again (it then finds nothing new to send).
                  .setWorkflowIdReusePolicy(
                      WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                  // The hour finishes even if this firing is terminated.
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                  .build());
      Promise<MeteringRunResult> result =
          Async.function(child::meter, new MeteringRunRequest(hour));
      try {
        Workflow.getWorkflowExecution(child).get();
      } catch (ChildWorkflowFailure failure) {
        if (failure.getCause() instanceof WorkflowExecutionAlreadyStarted) {
          alreadyRunning.add(hour);
          continue;
        }
        throw failure;
      }
      try {
        runs.add(result.get());
      } catch (ChildWorkflowFailure failure) {
        // Not expected (the hour's workflow records its own failures); the next firing retries.
        log.error("metering {} failed: {}", hour, failure.getMessage());
      }
    }
    return new ScheduledRunResult(runs, alreadyRunning, due.expired());
  }
}
