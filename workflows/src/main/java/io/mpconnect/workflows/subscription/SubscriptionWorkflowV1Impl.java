package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.MeteringFlushActivities;
import io.mpconnect.workflows.activities.SubscriptionActivities;
import io.mpconnect.workflows.activities.SubscriptionLinkActivities;
import io.mpconnect.workflows.messages.AwsSubscriptionState;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionSnapshot;
import io.mpconnect.workflows.messages.SubscriptionSnapshot.Inbound;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionTransition;
import io.mpconnect.workflows.messages.SubscriptionUpdate;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.messages.TransitionResult;
import io.mpconnect.workflows.onboarding.OnboardingWorkflow;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.shared.Retries;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * The subscription workflow as it was before licenses (one state per customer, keyed by the legacy
 * CustomerIdentifier when the product had one). Kept unchanged so that histories it made replay,
 * and run by {@link SubscriptionWorkflowImpl} for workflows started before licenses, until they
 * migrate: at their next input or {@code migrate} signal they continue as new on the current code,
 * or, when keyed by a CustomerIdentifier, hand their state to the account's workflow and end.
 * Registered on its own (only the migration test does), it is exactly the code before licenses:
 * it never migrates.
 */
public class SubscriptionWorkflowV1Impl implements SubscriptionWorkflow {
  /** Workflows of this code move to the current code (and key) from here on. */
  static final String MIGRATION_CHANGE = "migrate-to-licenses";

  /** Inputs (events and links) handled per run before continuing as new. */
  static final int DEFAULT_CONTINUE_AS_NEW_AFTER = 500;
  /** Message ids remembered for de-duplication, carried across runs. */
  static final int REMEMBERED_MESSAGE_IDS = 100;

  // A subscription lives for years: a database outage must delay its transitions, never end the
  // workflow. Retried without a deadline, at most every five minutes; only input that can never
  // apply (INVALID_INPUT) is final, and is recorded as the view's lastError for support.
  private static final ActivityOptions DATABASE_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              Retries.backoff(Duration.ofMinutes(5), FailureTypes.INVALID_INPUT))
          .build();

  // After unsubscribe-pending AWS accepts usage for about one hour: a flush request that cannot be
  // made within 50 minutes is too late to matter, and is recorded as the view's lastError.
  private static final ActivityOptions METERING_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setScheduleToCloseTimeout(Duration.ofMinutes(50))
          .setRetryOptions(
              Retries.backoff(Duration.ofMinutes(1), FailureTypes.INVALID_INPUT))
          .build();

  // Handing the state to the account's workflow is a call to Temporal: retried for a day.
  private static final ActivityOptions HAND_OVER_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofDays(1))
          .setRetryOptions(Retries.backoff(Duration.ofMinutes(5), FailureTypes.INVALID_INPUT))
          .build();

  private static final Logger log = Workflow.getLogger(SubscriptionWorkflowV1Impl.class);

  private final SubscriptionActivities store =
      Workflow.newActivityStub(SubscriptionActivities.class, DATABASE_CALLS);
  private final MeteringFlushActivities metering =
      Workflow.newActivityStub(MeteringFlushActivities.class, METERING_CALLS);

  /** Signal handlers only queue; the main loop handles one input at a time, in arrival order. */
  private final Deque<Inbound> inbox;

  private final SubscriptionLinkActivities handOver =
      Workflow.newActivityStub(SubscriptionLinkActivities.class, HAND_OVER_CALLS);
  private boolean migrationRequested;
  private final boolean migrates;

  public SubscriptionWorkflowV1Impl() {
    this.inbox = new ArrayDeque<>();
    this.migrates = false;
  }

  /** Run inside {@link SubscriptionWorkflowImpl}, sharing its inbox; migrates when asked. */
  SubscriptionWorkflowV1Impl(Deque<Inbound> inbox) {
    this.inbox = inbox;
    this.migrates = true;
  }

  private final LinkedHashSet<String> recentMessageIds = new LinkedHashSet<>();
  private final Map<String, String> published = new HashMap<>();
  private String productCode;
  private String customerKey;
  private String customerIdentifier;
  private String awsAccountId;
  private SubscriptionLink link;
  private AwsSubscriptionState awsState = AwsSubscriptionState.NONE;
  private SubscriptionStatus status = SubscriptionStatus.PENDING;
  private String plan;
  private LifecycleAction lastAction;
  private Instant lastEventAt;
  private String watcher;
  private long sequence;
  private long eventsApplied;
  private long duplicatesIgnored;
  private long staleIgnored;
  private String lastError;

  @Override
  public void run(SubscriptionInput input) {
    restore(input);
    publish();
    int limit =
        input.continueAsNewAfter() > 0
            ? input.continueAsNewAfter()
            : DEFAULT_CONTINUE_AS_NEW_AFTER;
    int handled = 0;
    while (true) {
      Workflow.await(() -> !inbox.isEmpty() || (migrates && migrationRequested));
      // Only a migrate signal, an adopted state or an event of the current model ask for it, and
      // histories of this code have none of them: they replay unchanged, never reaching
      // getVersion (whose answer is fixed for the whole run at its first call).
      if (migrates
          && migrationRequested
          && Workflow.getVersion(MIGRATION_CHANGE, Workflow.DEFAULT_VERSION, 1)
              != Workflow.DEFAULT_VERSION
          && migrated(input)) {
        return;
      }
      migrationRequested = false;
      if (inbox.isEmpty()) {
        continue;
      }
      Inbound next = inbox.poll();
      if (next.link() != null) {
        onLink(next.link());
      } else if (next.event() != null) {
        onEvent(next.event());
      }
      handled++;
      boolean due = handled >= limit || Workflow.getInfo().isContinueAsNewSuggested();
      // Continue as new between inputs when the inbox is empty; under a steady stream, at twice
      // the limit anyway, carrying what is queued.
      if (due && (inbox.isEmpty() || handled >= 2 * limit)) {
        // Handlers only queue, but we still wait for every one to finish so no signal this run
        // accepted is left behind; whatever is queued then travels in the snapshot.
        Workflow.await(Workflow::isEveryHandlerFinished);
        log.info("continuing as new after {} inputs", handled);
        Workflow.continueAsNew(
            new SubscriptionInput(
                productCode, customerKey, snapshot(), input.continueAsNewAfter()));
      }
    }
  }

  /**
   * Moves this subscription to the current code. Keyed by the account: continue as new (the next
   * run is the current code and converts the snapshot). Keyed by a CustomerIdentifier: hands the
   * state to the account's workflow and ends; while the account is unknown, stays (the
   * registration that maps the identifier asks again). Returns true when this run ended.
   */
  private boolean migrated(SubscriptionInput input) {
    Workflow.await(Workflow::isEveryHandlerFinished);
    if (awsAccountId == null && customerIdentifier != null) {
      try {
        absorb(null, store.accountOfIdentifier(productCode, customerIdentifier));
      } catch (ActivityFailure failure) {
        failed("looking up the AWS account", failure);
      }
    }
    if (awsAccountId == null) {
      log.info("not migrated yet: the AWS account of {} is not known", customerKey);
      return false;
    }
    if (awsAccountId.equals(customerKey)) {
      log.info("continuing as new on the current code");
      Workflow.continueAsNew(
          new SubscriptionInput(productCode, customerKey, snapshot(), input.continueAsNewAfter()));
      return true;
    }
    try {
      handOver.handOver(productCode, awsAccountId, snapshot());
    } catch (ActivityFailure failure) {
      failed("handing the state to the account's subscription", failure);
      return false;
    }
    log.info("handed over to the subscription of AWS account {}", awsAccountId);
    return true;
  }

  @Override
  public void adopt(SubscriptionSnapshot legacyState) {
    // Only the current code adopts: this one migrates first, carrying it in its snapshot.
    if (legacyState != null) {
      inbox.add(new Inbound(null, null, legacyState));
      migrationRequested = true;
    }
  }

  @Override
  public void migrate() {
    migrationRequested = true;
  }

  @Override
  public void link(SubscriptionLink link) {
    if (link != null) {
      inbox.add(new Inbound(null, link));
    }
  }

  @Override
  public void lifecycleEvent(LifecycleEvent event) {
    if (event != null && event.action() != null) {
      if (!event.action().legacy()) {
        // An event of AWS's current model: only the current code applies it.
        migrationRequested = true;
      }
      inbox.add(new Inbound(event, null));
    }
  }

  @Override
  public SubscriptionView view() {
    return new SubscriptionView(
        Workflow.getInfo().getWorkflowId(),
        productCode,
        customerKey,
        customerIdentifier,
        awsAccountId,
        link == null ? null : link.organizationId(),
        link == null ? null : link.organizationName(),
        status,
        awsState,
        plan,
        lastAction,
        lastEventAt,
        eventsApplied,
        duplicatesIgnored,
        staleIgnored,
        lastError,
        List.of());
  }

  private void onLink(SubscriptionLink incoming) {
    boolean newOrganization =
        link == null || !Objects.equals(link.organizationId(), incoming.organizationId());
    if (link != null && newOrganization) {
      // The database allows one organization per customer; a different one means the link was
      // replaced there (by support). The newest link wins.
      log.warn(
          "linked to organization {} instead of {}",
          incoming.organizationId(),
          link.organizationId());
    }
    link = incoming;
    absorb(incoming.customerIdentifier(), incoming.awsAccountId());
    if (incoming.onboardingWorkflowId() != null) {
      watcher = incoming.onboardingWorkflowId();
    }
    publish();
    if (!reconcile("link", null, "onboarding", newOrganization)) {
      // Nothing changed (e.g. an event found this link in the database first): the onboarding
      // still waits to hear the status.
      tellWatcher();
    }
  }

  private void onEvent(LifecycleEvent event) {
    if (AwsSubscriptionState.after(event.action()) == null) {
      log.warn("{} is applied only by the current code; not by this one", event.action());
      return;
    }
    if (event.messageId() != null && recentMessageIds.contains(event.messageId())) {
      duplicatesIgnored++;
      log.info("ignoring duplicate {} (message {})", event.action(), event.messageId());
      return;
    }
    remember(event.messageId());
    if (event.occurredAt() != null
        && lastEventAt != null
        && event.occurredAt().isBefore(lastEventAt)) {
      // Queues do not keep order: an event older than the last one applied is out of date.
      staleIgnored++;
      log.info(
          "ignoring {} sent at {}, older than the last event applied ({})",
          event.action(),
          event.occurredAt(),
          lastEventAt);
      return;
    }
    if (event.occurredAt() != null) {
      lastEventAt = event.occurredAt();
    }
    lastAction = event.action();
    awsState = AwsSubscriptionState.after(event.action());
    absorb(event.customerIdentifier(), event.awsAccountId());
    boolean linkFound = false;
    if (link == null) {
      // A link made before this workflow existed (or whose signal is late) is in the database.
      link = findLink();
      linkFound = link != null;
      if (linkFound) {
        absorb(link.customerIdentifier(), link.awsAccountId());
        if (watcher == null && link.onboardingWorkflowId() != null) {
          // The onboarding that made it may still be waiting for AWS's answer.
          watcher = link.onboardingWorkflowId();
        }
      }
    }
    publish();
    SubscriptionStatus before = status;
    reconcile(event.action().wireName(), event.messageId(), event.source(), linkFound);
    if (event.action() == LifecycleAction.UNSUBSCRIBE_PENDING
        && before != SubscriptionStatus.UNSUBSCRIBE_PENDING) {
      requestFinalFlush();
    }
    // Counted once all its effects are done, so the view never shows it half-applied.
    eventsApplied++;
  }

  /**
   * Brings PostgreSQL, the search attributes, a waiting onboarding and the owners in line with
   * what AWS said and whether an organization is linked. Returns whether the watcher was told.
   */
  private boolean reconcile(String cause, String messageId, String source, boolean linkArrived) {
    SubscriptionStatus target = derive(awsState, link != null);
    SubscriptionStatus from = status;
    boolean changed = target != from;
    if (!changed && !linkArrived) {
      return false;
    }
    TransitionResult result = null;
    if (changed || target != SubscriptionStatus.PENDING) {
      sequence++;
      result = applyTransition(from, target, cause, messageId, source);
    }
    status = target;
    publish();
    boolean listened = tellWatcher();
    if (link == null || result == null) {
      return true;
    }
    SubscriptionNotice.Kind notice = null;
    if (target == SubscriptionStatus.ACTIVE
        && changed
        && !listened
        && (result.linkChanged() || result.planChanged())) {
      notice = SubscriptionNotice.Kind.ACTIVATED;
    } else if (target == SubscriptionStatus.FAILED && result.linkChanged()) {
      notice = SubscriptionNotice.Kind.FAILED;
    } else if (target == SubscriptionStatus.UNSUBSCRIBED
        && result.linkChanged()
        && (from == SubscriptionStatus.ACTIVE
            || from == SubscriptionStatus.UNSUBSCRIBE_PENDING
            || result.planChanged())) {
      notice = SubscriptionNotice.Kind.ENDED;
    }
    if (notice != null) {
      try {
        store.notifyOwners(
            new SubscriptionNotice(
                notice, productCode, customerKey, awsAccountId, link.organizationId(), sequence));
      } catch (ActivityFailure failure) {
        failed("notifying the owners", failure);
      }
    }
    return true;
  }

  private TransitionResult applyTransition(
      SubscriptionStatus from,
      SubscriptionStatus to,
      String cause,
      String messageId,
      String source) {
    try {
      TransitionResult result =
          store.applyTransition(
              new SubscriptionTransition(
                  productCode,
                  customerKey,
                  customerIdentifier,
                  awsAccountId,
                  link == null ? null : link.organizationId(),
                  from,
                  to,
                  cause,
                  messageId,
                  sequence,
                  source));
      lastError = null;
      if (result != null && result.plan() != null) {
        plan = result.plan();
      }
      return result;
    } catch (ActivityFailure failure) {
      failed("the " + from + " -> " + to + " transition", failure);
      return null;
    }
  }

  /** True when a running onboarding was told (it then tells the customer itself). */
  private boolean tellWatcher() {
    if (watcher == null) {
      return false;
    }
    try {
      Workflow.newUntypedExternalWorkflowStub(watcher)
          .signal(
              OnboardingWorkflow.SUBSCRIPTION_CHANGED_SIGNAL, new SubscriptionUpdate(status, plan));
      return true;
    } catch (SignalExternalWorkflowException | TemporalFailure closed) {
      // The onboarding has ended (NOT_FOUND): from now on the owners hear about changes from us.
      // Caught, never rethrown: a failure escaping here would end the subscription workflow.
      log.info("the onboarding {} no longer listens: {}", watcher, closed.getMessage());
      watcher = null;
      return false;
    }
  }

  private void requestFinalFlush() {
    try {
      metering.requestFinalFlush(
          new FinalFlushRequest(
              productCode,
              customerKey,
              customerIdentifier,
              awsAccountId,
              link == null ? null : link.organizationId(),
              Instant.ofEpochMilli(Workflow.currentTimeMillis()),
              sequence));
    } catch (ActivityFailure failure) {
      failed("requesting the final metering flush", failure);
    }
  }

  private SubscriptionLink findLink() {
    try {
      return store.findLink(productCode, customerKey);
    } catch (ActivityFailure failure) {
      failed("looking up the link", failure);
      return null;
    }
  }

  private void failed(String what, ActivityFailure failure) {
    String cause = failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage();
    lastError = what + " failed: " + cause;
    log.error("{} failed for good: {}", what, cause);
    Workflow.setCurrentDetails(details());
  }

  static SubscriptionStatus derive(AwsSubscriptionState aws, boolean linked) {
    return switch (aws) {
      case NONE -> SubscriptionStatus.PENDING;
      case SUBSCRIBED -> linked ? SubscriptionStatus.ACTIVE : SubscriptionStatus.PENDING;
      case FAILED -> SubscriptionStatus.FAILED;
      case UNSUBSCRIBE_PENDING -> SubscriptionStatus.UNSUBSCRIBE_PENDING;
      case UNSUBSCRIBED -> SubscriptionStatus.UNSUBSCRIBED;
    };
  }

  private void absorb(String identifier, String account) {
    if (customerIdentifier == null && identifier != null && !identifier.isBlank()) {
      customerIdentifier = identifier;
    }
    if (awsAccountId == null && account != null && !account.isBlank()) {
      awsAccountId = account;
    }
  }

  private void remember(String messageId) {
    if (messageId == null) {
      return;
    }
    recentMessageIds.add(messageId);
    Iterator<String> oldest = recentMessageIds.iterator();
    while (recentMessageIds.size() > REMEMBERED_MESSAGE_IDS) {
      oldest.next();
      oldest.remove();
    }
  }

  /** Upserts only the search attributes that changed: each upsert is a history event. */
  private void publish() {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    set(updates, SearchAttributes.SUBSCRIPTION_STATUS, status.name());
    set(updates, SearchAttributes.MARKETPLACE_PRODUCT_CODE, productCode);
    set(updates, SearchAttributes.MARKETPLACE_CUSTOMER_ID, customerIdentifier);
    set(updates, SearchAttributes.MARKETPLACE_ACCOUNT_ID, awsAccountId);
    set(updates, SearchAttributes.ORGANIZATION_ID, link == null ? null : link.organizationId());
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    }
    Workflow.setCurrentDetails(details());
  }

  private void set(
      List<SearchAttributeUpdate<?>> updates, SearchAttributeKey<String> key, String value) {
    if (value == null || value.equals(published.get(key.getName()))) {
      return;
    }
    published.put(key.getName(), value);
    updates.add(key.valueSet(value));
  }

  /** What the Temporal UI shows support: the state in one sentence, no personal data. */
  private String details() {
    String who = link == null ? "no organization linked yet" : "organization " + link.organizationId();
    String aws =
        switch (awsState) {
          case NONE -> "no lifecycle event from AWS yet";
          case SUBSCRIBED -> "AWS confirmed the subscription (subscribe-success)";
          case FAILED -> "AWS reported subscribe-fail";
          case UNSUBSCRIBE_PENDING -> "AWS reported unsubscribe-pending";
          case UNSUBSCRIBED -> "AWS reported unsubscribe-success";
        };
    return status + ": " + aws + "; " + who + (lastError == null ? "" : "; last error: " + lastError);
  }

  private void restore(SubscriptionInput input) {
    productCode = input.productCode();
    customerKey = input.customerKey();
    SubscriptionSnapshot carried = input.carried();
    if (carried == null) {
      return;
    }
    customerIdentifier = carried.customerIdentifier();
    awsAccountId = carried.awsAccountId();
    link = carried.link();
    awsState = carried.awsState() == null ? AwsSubscriptionState.NONE : carried.awsState();
    status = carried.status() == null ? SubscriptionStatus.PENDING : carried.status();
    plan = carried.plan();
    lastAction = carried.lastAction();
    lastEventAt = carried.lastEventAt();
    if (carried.recentMessageIds() != null) {
      carried.recentMessageIds().forEach(this::remember);
    }
    watcher = carried.watcherWorkflowId();
    sequence = carried.sequence();
    eventsApplied = carried.eventsApplied();
    duplicatesIgnored = carried.duplicatesIgnored();
    staleIgnored = carried.staleIgnored();
    lastError = carried.lastError();
    if (carried.pending() != null) {
      // They arrived before anything this run's handlers may have queued already.
      List<Inbound> pending = carried.pending();
      for (int i = pending.size() - 1; i >= 0; i--) {
        inbox.addFirst(pending.get(i));
      }
    }
  }

  private SubscriptionSnapshot snapshot() {
    return new SubscriptionSnapshot(
        customerIdentifier,
        awsAccountId,
        link,
        awsState,
        status,
        plan,
        lastAction,
        lastEventAt,
        List.copyOf(recentMessageIds),
        watcher,
        sequence,
        eventsApplied,
        duplicatesIgnored,
        staleIgnored,
        lastError,
        List.copyOf(inbox));
  }
}
