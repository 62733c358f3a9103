package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A leaving customer's last usage after unsubscribe-pending or Purchase Agreement Ended: records of
 * finished hours still unanswered are sent at once; the current partial hour stays open until
 * {@link FinalFlushRequest#finalHourSendAt()} (close to the end of AWS's final hour, with a
 * margin), then is closed and sent. Workflow id {@link MeteringIds#flushWorkflowId}: one per end.
 */
@WorkflowInterface
public interface FinalFlushWorkflow {
  @WorkflowMethod
  FlushResult flush(FinalFlushRequest request);

  /**
   * phase AGGREGATING, SENDING_FINISHED_HOURS, WAITING_FOR_FINAL_HOUR, SENDING, WAITING (backing
   * off), DONE.
   */
  @QueryMethod
  MeteringProgress progress();
}
