package io.mpconnect.workflows.messages;

import java.time.Instant;
import java.util.List;

/**
 * The whole state of a subscription, handed from one run to the next on continue-as-new. Small by
 * construction: a bounded list of recent message ids, and the inputs not yet handled (normally
 * none).
 */
public record SubscriptionSnapshot(
    String customerIdentifier,
    String awsAccountId,
    SubscriptionLink link,
    AwsSubscriptionState awsState,
    SubscriptionStatus status,
    String plan,
    LifecycleAction lastAction,
    Instant lastEventAt,
    List<String> recentMessageIds,
    String watcherWorkflowId,
    long sequence,
    long eventsApplied,
    long duplicatesIgnored,
    long staleIgnored,
    String lastError,
    List<Inbound> pending,
    List<License> licenses) {

  /** The legacy shape (before licenses): a run of the new code converts it. */
  public SubscriptionSnapshot(
      String customerIdentifier,
      String awsAccountId,
      SubscriptionLink link,
      AwsSubscriptionState awsState,
      SubscriptionStatus status,
      String plan,
      LifecycleAction lastAction,
      Instant lastEventAt,
      List<String> recentMessageIds,
      String watcherWorkflowId,
      long sequence,
      long eventsApplied,
      long duplicatesIgnored,
      long staleIgnored,
      String lastError,
      List<Inbound> pending) {
    this(customerIdentifier, awsAccountId, link, awsState, status, plan, lastAction, lastEventAt,
        recentMessageIds, watcherWorkflowId, sequence, eventsApplied, duplicatesIgnored,
        staleIgnored, lastError, pending, null);
  }

  /**
   * One input in arrival order: exactly one is set. {@code adopted} is the state of the same
   * customer's subscription workflow of the code before licenses, handed over when it was keyed by
   * its legacy CustomerIdentifier.
   */
  public record Inbound(LifecycleEvent event, SubscriptionLink link, SubscriptionSnapshot adopted) {
    public Inbound(LifecycleEvent event, SubscriptionLink link) {
      this(event, link, null);
    }
  }
}
