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
    List<Inbound> pending) {

  /** One input in arrival order: exactly one of the two is set. */
  public record Inbound(LifecycleEvent event, SubscriptionLink link) {}
}
