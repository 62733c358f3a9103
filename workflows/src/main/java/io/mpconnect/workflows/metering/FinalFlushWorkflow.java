package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A leaving customer's last usage, sent at once after unsubscribe-pending (the current partial
 * hour too). Workflow id {@link MeteringIds#flushWorkflowId}: one per unsubscribe-pending.
 */
@WorkflowInterface
public interface FinalFlushWorkflow {
  @WorkflowMethod
  FlushResult flush(FinalFlushRequest request);

  @QueryMethod
  MeteringProgress progress();
}
