package io.mpconnect.workflows.metering;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * What the {@link MeteringIds#SCHEDULE_ID} schedule starts every hour: meters each due hour, oldest
 * first, as a child {@link MeteringWorkflow} with the hour's own id. (A schedule appends its firing
 * time to the workflow id it starts, so it cannot start {@code metering-<hour>} directly.)
 */
@WorkflowInterface
public interface MeteringScheduleWorkflow {
  @WorkflowMethod
  ScheduledRunResult run();
}
