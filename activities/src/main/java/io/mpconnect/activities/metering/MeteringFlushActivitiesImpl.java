package io.mpconnect.activities.metering;

import io.mpconnect.config.Env;
import io.mpconnect.config.FinalHourSettings;
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
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription's final-flush hook: starts the customer's {@link FinalFlushWorkflow} and
 * returns, so the subscription never waits on AWS. The flush's workflow id carries the
 * unsubscribe-pending's sequence: a retried request finds the flush it started, a later
 * unsubscribe-pending starts a new one.
 *
 * <p>The hook decides when the flush sends the current partial hour: {@code 1h - margin} after
 * the end began (the license's ended time when the request names it, else when it was requested),
 * margin METERING_FINAL_HOUR_MARGIN (default 10m). A request that names its own time keeps it.
 */
public class MeteringFlushActivitiesImpl implements MeteringFlushActivities {
  private static final Logger log = LoggerFactory.getLogger(MeteringFlushActivitiesImpl.class);

  private final WorkflowClient client;
  private final String taskQueue;
  private final Duration finalHourMargin;

  /** With METERING_FINAL_HOUR_MARGIN from the process environment. */
  public MeteringFlushActivitiesImpl(WorkflowClient client, String taskQueue) {
    this(client, taskQueue, FinalHourSettings.from(Env.system()).margin());
  }

  public MeteringFlushActivitiesImpl(
      WorkflowClient client, String taskQueue, Duration finalHourMargin) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.finalHourMargin = new FinalHourSettings(finalHourMargin).margin();
  }

  @Override
  public void requestFinalFlush(FinalFlushRequest request) {
    if (request == null || request.productCode() == null || request.customerKey() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a final flush names the product and the customer", FailureTypes.INVALID_INPUT);
    }
    FinalFlushRequest flushRequest = request;
    if (request.finalHourAt() == null) {
      Instant at = request.finalHourAt(finalHourMargin);
      // A request with no time at all: the end began now.
      flushRequest = request.withFinalHourAt(
          at != null ? at : Instant.now().plus(FinalFlushRequest.FINAL_HOUR).minus(finalHourMargin));
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
      WorkflowClient.start(flush::flush, flushRequest);
      log.info("final flush {} started; the current hour is sent at {}", workflowId,
          flushRequest.finalHourAt());
    } catch (WorkflowExecutionAlreadyStarted alreadyRequested) {
      log.info("final flush {} was already requested", workflowId);
    }
  }
}
