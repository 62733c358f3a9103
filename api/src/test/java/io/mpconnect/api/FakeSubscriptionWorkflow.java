package io.mpconnect.api;

import io.mpconnect.workflows.messages.SubscriptionView;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Plays a customer's subscription workflow for what the api reads of it: the {@code view} query,
 * answering the view it was started with. Started under the real workflow id ({@code
 * subscription-<productCode>-<key>}), so the api finds it exactly as it finds the real one, without
 * depending on the real workflow's behaviour.
 */
@WorkflowInterface
public interface FakeSubscriptionWorkflow {
  @WorkflowMethod
  void run(SubscriptionView view);

  /** The real workflow's query name. */
  @QueryMethod(name = "view")
  SubscriptionView view();

  /** Register with {@code worker.registerWorkflowImplementationTypes(Impl.class)}. */
  class Impl implements FakeSubscriptionWorkflow {
    private SubscriptionView view;

    @Override
    public void run(SubscriptionView view) {
      this.view = view;
      Workflow.await(() -> false);
    }

    @Override
    public SubscriptionView view() {
      return view;
    }
  }

  /** Starts one under {@code view.workflowId()} on the task queue. */
  static void start(WorkflowClient client, String taskQueue, SubscriptionView view) {
    FakeSubscriptionWorkflow workflow = client.newWorkflowStub(FakeSubscriptionWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(view.workflowId())
            .setTaskQueue(taskQueue)
            .build());
    WorkflowClient.start(workflow::run, view);
  }
}
