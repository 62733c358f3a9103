package io.mpconnect.activities.metering;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.MeteringFlushActivities;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.metering.FinalFlushWorkflow;
import io.mpconnect.workflows.metering.MeteringIds;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription's final-flush hook: starts the customer's {@link FinalFlushWorkflow} and
 * returns, so the subscription never waits on AWS. The flush's workflow id carries the
 * unsubscribe-pending's sequence: a retried request finds the flush it started, a later
 * unsubscribe-pending starts a new one.
 */
public class MeteringFlushActivitiesImpl implements MeteringFlushActivities {
  private static final Logger log = LoggerFactory.getLogger(MeteringFlushActivitiesImpl.class);

  private final WorkflowClient client;
  private final String taskQueue;

  public MeteringFlushActivitiesImpl(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  @Override
  public void requestFinalFlush(FinalFlushRequest request) {
    if (request == null || request.productCode() == null || request.customerKey() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a final flush names the product and the customer", FailureTypes.INVALID_INPUT);
    }
    String workflowId =
        MeteringIds.flushWorkflowId(request.productCode(), request.customerKey(), request.sequence());
    FinalFlushWorkflow flush =
        client.newWorkflowStub(
            FinalFlushWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(taskQueue)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .build());
    try {
      WorkflowClient.start(flush::flush, request);
      log.info("final flush {} started", workflowId);
    } catch (WorkflowExecutionAlreadyStarted alreadyRequested) {
      log.info("final flush {} was already requested", workflowId);
    }
  }
}
