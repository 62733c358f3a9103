package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.SubscriptionActivities;
import io.mpconnect.workflows.activities.SubscriptionLinkActivities;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.shared.Retries;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;

public class CustomerIdentifierWorkflowImpl implements CustomerIdentifierWorkflow {
  // The lookup and the hand-over ride out database and Temporal outages: retried without end,
  // at most every five minutes; events must never be dropped here.
  private static final ActivityOptions CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(Retries.backoff(Duration.ofMinutes(5), FailureTypes.INVALID_INPUT))
          .build();

  private static final Logger log = Workflow.getLogger(CustomerIdentifierWorkflowImpl.class);

  private final SubscriptionActivities store =
      Workflow.newActivityStub(SubscriptionActivities.class, CALLS);
  private final SubscriptionLinkActivities subscriptions =
      Workflow.newActivityStub(SubscriptionLinkActivities.class, CALLS);

  private final Deque<LifecycleEvent> waiting = new ArrayDeque<>();
  private String account;

  @Override
  public void run(String productCode, String customerIdentifier) {
    // Started by the first event: the registration may have written the mapping just before (its
    // signal then found no workflow), so look once; a later registration signals accountKnown.
    String known = store.accountOfIdentifier(productCode, customerIdentifier);
    if (known != null && account == null) {
      account = known;
    }
    if (account == null) {
      Workflow.setCurrentDetails(
          "Waiting for a registration that maps customer identifier " + customerIdentifier
              + " to its AWS account; events waiting: " + waiting.size());
      Workflow.await(() -> account != null);
    }
    do {
      while (!waiting.isEmpty()) {
        LifecycleEvent event = waiting.poll();
        subscriptions.deliverEvent(event.withAccount(account));
        log.info("handed {} of {} to AWS account {}", event.action(), customerIdentifier, account);
      }
      // Events that arrived while handing over travel too; later ones find the mapping at once.
      Workflow.await(Workflow::isEveryHandlerFinished);
    } while (!waiting.isEmpty());
  }

  @Override
  public void lifecycleEvent(LifecycleEvent event) {
    if (event != null) {
      waiting.add(event);
    }
  }

  @Override
  public void accountKnown(String awsAccountId) {
    if (account == null && awsAccountId != null && !awsAccountId.isBlank()) {
      account = awsAccountId;
    }
  }

  @Override
  public int waiting() {
    return waiting.size();
  }
}
