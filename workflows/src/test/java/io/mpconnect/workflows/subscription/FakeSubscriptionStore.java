package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.activities.MeteringFlushActivities;
import io.mpconnect.workflows.activities.SubscriptionActivities;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionTransition;
import io.mpconnect.workflows.messages.TransitionResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory stand-in for the subscription's PostgreSQL effects, with the same rules: ACTIVE
 * puts the organization on STANDARD, FAILED and UNSUBSCRIBED put it back on STARTER, the others
 * leave the plan alone. Records every call so tests can assert what happened.
 */
final class FakeSubscriptionStore implements SubscriptionActivities, MeteringFlushActivities {
  final Map<String, String> plans = new ConcurrentHashMap<>();
  final Map<String, SubscriptionStatus> linkStatus = new ConcurrentHashMap<>();
  final List<SubscriptionTransition> transitions = new CopyOnWriteArrayList<>();
  final List<SubscriptionNotice> notices = new CopyOnWriteArrayList<>();
  final List<FinalFlushRequest> flushes = new CopyOnWriteArrayList<>();
  /** The licenses as last saved, by account; what support and metering read. */
  final Map<String, io.mpconnect.workflows.messages.SubscriptionLicenses> savedLicenses =
      new ConcurrentHashMap<>();
  /** CustomerIdentifier to AWS account, as registrations wrote them. */
  final Map<String, String> identifierAccounts = new ConcurrentHashMap<>();
  volatile SubscriptionLink databaseLink;

  String planOf(String organizationId) {
    return plans.getOrDefault(organizationId, "STARTER");
  }

  /** What each sequence answered: a repeat answers the same, as PostgreSQL's audit rows make it. */
  private final Map<String, TransitionResult> answered = new ConcurrentHashMap<>();

  /** How many ApplyTransition calls from now on fail, as while PostgreSQL is down. */
  final java.util.concurrent.atomic.AtomicInteger transitionOutage =
      new java.util.concurrent.atomic.AtomicInteger();
  /** Every ApplyTransition call, the failed ones included. */
  final java.util.concurrent.atomic.AtomicInteger transitionCalls =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public synchronized TransitionResult applyTransition(SubscriptionTransition transition) {
    transitionCalls.incrementAndGet();
    if (transitionOutage.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("Connection is not available (PostgreSQL is down)");
    }
    transitions.add(transition);
    String repeat = transition.customerKey() + "#" + transition.sequence() + "#" + transition.to();
    TransitionResult first = answered.get(repeat);
    if (first != null) {
      return first;
    }
    TransitionResult result = apply(transition);
    answered.put(repeat, result);
    return result;
  }

  private TransitionResult apply(SubscriptionTransition transition) {
    String organization = transition.organizationId();
    if (organization == null) {
      return new TransitionResult(null, false, false);
    }
    SubscriptionStatus before = linkStatus.getOrDefault(organization, SubscriptionStatus.PENDING);
    linkStatus.put(organization, transition.to());
    String plan = planOf(organization);
    String next =
        switch (transition.to()) {
          case ACTIVE -> "STANDARD";
          case FAILED, UNSUBSCRIBED -> "STARTER";
          default -> plan;
        };
    plans.put(organization, next);
    return new TransitionResult(next, before != transition.to(), !plan.equals(next));
  }

  @Override
  public SubscriptionLink findLink(String productCode, String customerKey) {
    SubscriptionLink link = databaseLink;
    return link != null
            && link.productCode().equals(productCode)
            && link.customerKey().equals(customerKey)
        ? link
        : null;
  }

  @Override
  public synchronized void saveLicenses(
      io.mpconnect.workflows.messages.SubscriptionLicenses licenses) {
    var stored = savedLicenses.get(licenses.awsAccountId());
    if (stored == null || stored.sequence() <= licenses.sequence()) {
      savedLicenses.put(licenses.awsAccountId(), licenses);
    }
  }

  @Override
  public String accountOfIdentifier(String productCode, String customerIdentifier) {
    return identifierAccounts.get(customerIdentifier);
  }

  @Override
  public void notifyOwners(SubscriptionNotice notice) {
    notices.add(notice);
  }

  @Override
  public void requestFinalFlush(FinalFlushRequest request) {
    flushes.add(request);
  }

  /**
   * Transitions to the status, by sequence: a local activity runs again when the completion of its
   * workflow task is lost (e.g. refused for a signal that arrived meanwhile), and PostgreSQL writes
   * a transition once per sequence.
   */
  long transitionsTo(SubscriptionStatus status) {
    return transitions.stream()
        .filter(t -> t.to() == status)
        .map(SubscriptionTransition::sequence)
        .distinct()
        .count();
  }
}
