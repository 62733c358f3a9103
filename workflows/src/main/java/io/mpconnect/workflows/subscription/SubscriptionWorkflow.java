package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionSnapshot;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One long-running entity per marketplace customer, product code + AWS account id (id: {@link
 * SubscriptionIds#workflowId}), the only owner of the subscription's status, its licenses and the
 * organization's paid plan. It receives the organization link and AWS's lifecycle events as
 * signals, always sent with signal-with-start ({@link SubscriptionSignals}), so the order of
 * arrival does not matter. The paid plan is on while an organization is linked and at least one
 * license is usable.
 */
@WorkflowInterface
public interface SubscriptionWorkflow {
  String LINK_SIGNAL = "link";
  String EVENT_SIGNAL = "lifecycleEvent";
  String ADOPT_SIGNAL = "adopt";
  String MIGRATE_SIGNAL = "migrate";

  /** Never returns: continues as new before its history grows large. */
  @WorkflowMethod
  void run(SubscriptionInput input);

  /** The onboarding's connect step linked an organization to this customer. */
  @SignalMethod(name = LINK_SIGNAL)
  void link(SubscriptionLink link);

  /** A lifecycle event from AWS (through the queue, or injected by support). */
  @SignalMethod(name = EVENT_SIGNAL)
  void lifecycleEvent(LifecycleEvent event);

  /**
   * The state of this customer's subscription workflow of the code before licenses, which was
   * keyed by the legacy CustomerIdentifier; merged into this one.
   */
  @SignalMethod(name = ADOPT_SIGNAL)
  void adopt(SubscriptionSnapshot legacyState);

  /**
   * Asks a subscription still running the code before licenses to move to the current code (and
   * to the account's workflow id). Does nothing on a current one.
   */
  @SignalMethod(name = MIGRATE_SIGNAL)
  void migrate();

  @QueryMethod
  SubscriptionView view();
}
