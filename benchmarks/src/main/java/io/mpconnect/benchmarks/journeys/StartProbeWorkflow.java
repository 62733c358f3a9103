package io.mpconnect.benchmarks.journeys;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A workflow that ends at once: started now and then while the journeys run, its start's round
 * trip is what a bare workflow start costs under the same load as the registrations, which each
 * make one start.
 */
@WorkflowInterface
public interface StartProbeWorkflow {
  @WorkflowMethod
  void probe();

  /** Nothing to do. */
  final class Impl implements StartProbeWorkflow {
    @Override
    public void probe() {}
  }
}
