package io.mpconnect.workflows.metering;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Meters one usage hour to AWS: aggregate, send, retry what is retryable while the hour is inside
 * the window, record the outcome. Workflow id {@link MeteringIds#hourWorkflowId}.
 */
@WorkflowInterface
public interface MeteringWorkflow {
  @WorkflowMethod
  MeteringRunResult meter(MeteringRunRequest request);

  @QueryMethod
  MeteringProgress progress();
}
