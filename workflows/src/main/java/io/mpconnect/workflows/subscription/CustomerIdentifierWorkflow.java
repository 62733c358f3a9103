package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.LifecycleEvent;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Legacy SNS events of a CustomerIdentifier that no registration has mapped to an AWS account yet
 * (id: {@link SubscriptionIds#identifierWorkflowId}). It holds them durably and hands them, in
 * arrival order, to the account's {@link SubscriptionWorkflow} once the account is known; it never
 * applies anything itself, so only one workflow ever drives a customer.
 */
@WorkflowInterface
public interface CustomerIdentifierWorkflow {
  String EVENT_SIGNAL = "lifecycleEvent";
  String ACCOUNT_KNOWN_SIGNAL = "accountKnown";

  /** Ends once every event it received was handed to the account's subscription. */
  @WorkflowMethod
  void run(String productCode, String customerIdentifier);

  @SignalMethod(name = EVENT_SIGNAL)
  void lifecycleEvent(LifecycleEvent event);

  /** A registration resolved this identifier to its AWS account. */
  @SignalMethod(name = ACCOUNT_KNOWN_SIGNAL)
  void accountKnown(String awsAccountId);

  /** How many events wait. */
  @QueryMethod
  int waiting();
}
