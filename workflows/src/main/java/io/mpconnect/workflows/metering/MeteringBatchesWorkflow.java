package io.mpconnect.workflows.metering;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One page (up to {@link BatchSending#BATCHES_PER_PAGE} calls) of an hour's sending pass, as a
 * child of {@code metering-<hour>}, id {@code metering-<hour>-send-<pass>-<page>}: an hour of
 * 20,000 records is 4 children of about 1,200 events each, and the hour's own history grows by a
 * few events per page.
 */
@WorkflowInterface
public interface MeteringBatchesWorkflow {
  @WorkflowMethod
  BatchPassResult send(BatchPassRequest request);
}
