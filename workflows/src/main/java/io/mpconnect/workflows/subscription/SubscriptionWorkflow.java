package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One long-running entity per marketplace customer (id: {@link SubscriptionIds#workflowId}). It
 * receives the organization link and AWS's lifecycle events as signals, always sent with
 * signal-with-start ({@link SubscriptionSignals}), so the order of arrival does not matter. The
 * paid plan is activated only when both the link and subscribe-success are there.
 */
@WorkflowInterface
public interface SubscriptionWorkflow {
  String LINK_SIGNAL = "link";
  String EVENT_SIGNAL = "lifecycleEvent";

  /** Never returns: continues as new before its history grows large. */
  @WorkflowMethod
  void run(SubscriptionInput input);

  /** The onboarding's connect step linked an organization to this customer. */
  @SignalMethod(name = LINK_SIGNAL)
  void link(SubscriptionLink link);

  /** A lifecycle event from AWS (through the queue, or injected by support). */
  @SignalMethod(name = EVENT_SIGNAL)
  void lifecycleEvent(LifecycleEvent event);

  @QueryMethod
  SubscriptionView view();
}
