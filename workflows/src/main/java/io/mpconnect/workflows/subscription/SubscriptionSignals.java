package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import java.util.Optional;

/**
 * The one way into a subscription workflow: every input is sent with signal-with-start, so
 * whichever arrives first (the link or AWS's event) starts the workflow, and the order of arrival
 * never matters. Used by the worker's queue consumer, the onboarding's link activity and the api's
 * admin endpoint.
 */
public final class SubscriptionSignals {
  private static final String SUMMARY = "AWS Marketplace subscription";

  private final WorkflowClient client;
  private final String taskQueue;

  public SubscriptionSignals(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /**
   * Delivers a lifecycle event; returns once Temporal accepted the signal (then, and only then, may
   * the message be deleted from its queue). Throws when Temporal did not accept it.
   */
  public WorkflowExecution deliver(LifecycleEvent event) {
    SubscriptionWorkflow workflow =
        stub(event.productCode(), event.customerKey(), event.customerIdentifier(),
            event.awsAccountId());
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(
        workflow::run, SubscriptionInput.fresh(event.productCode(), event.customerKey()));
    request.add(workflow::lifecycleEvent, event);
    return client.signalWithStart(request);
  }

  /** Tells the subscription about the organization the onboarding linked. */
  public WorkflowExecution link(SubscriptionLink link) {
    SubscriptionWorkflow workflow =
        stub(link.productCode(), link.customerKey(), link.customerIdentifier(),
            link.awsAccountId());
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::run, SubscriptionInput.fresh(link.productCode(), link.customerKey()));
    request.add(workflow::link, link);
    return client.signalWithStart(request);
  }

  /** The subscription's view, or empty when there is no such subscription workflow. */
  public Optional<SubscriptionView> view(String productCode, String customerKey) {
    try {
      return Optional.of(
          client
              .newUntypedWorkflowStub(SubscriptionIds.workflowId(productCode, customerKey))
              .query("view", SubscriptionView.class));
    } catch (WorkflowNotFoundException notFound) {
      return Optional.empty();
    }
  }

  private SubscriptionWorkflow stub(
      String productCode, String customerKey, String customerIdentifier, String awsAccountId) {
    var attributes =
        io.temporal.common.SearchAttributes.newBuilder()
            .set(SearchAttributes.SUBSCRIPTION_STATUS, SubscriptionStatus.PENDING.name())
            .set(SearchAttributes.MARKETPLACE_PRODUCT_CODE, productCode);
    if (customerIdentifier != null) {
      attributes.set(SearchAttributes.MARKETPLACE_CUSTOMER_ID, customerIdentifier);
    }
    if (awsAccountId != null) {
      attributes.set(SearchAttributes.MARKETPLACE_ACCOUNT_ID, awsAccountId);
    }
    // Allow-duplicate: if support ever terminated a subscription, the next input starts it again
    // (it finds its link in the database). A running one is always signalled, never restarted.
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(SubscriptionIds.workflowId(productCode, customerKey))
            .setTaskQueue(taskQueue)
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            .setTypedSearchAttributes(attributes.build())
            .setStaticSummary(SUMMARY)
            .build();
    return client.newWorkflowStub(SubscriptionWorkflow.class, options);
  }
}
