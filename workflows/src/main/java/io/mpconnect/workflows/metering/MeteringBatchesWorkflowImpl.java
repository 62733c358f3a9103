package io.mpconnect.workflows.metering;

import io.temporal.workflow.Workflow;

public class MeteringBatchesWorkflowImpl implements MeteringBatchesWorkflow {
  private final BatchSending sending =
      new BatchSending(
          Workflow.newActivityStub(MeteringLedgerActivities.class, MeteringOptions.LEDGER),
          Workflow.newActivityStub(MeteringSenderActivities.class, MeteringOptions.BATCH));

  @Override
  public BatchPassResult send(BatchPassRequest request) {
    return sending.sendPage(request.scope(), request.after(), request.until());
  }
}
