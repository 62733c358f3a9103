package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.activities.EntitlementActivities;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.MeteringFlushActivities;
import io.mpconnect.workflows.activities.NotificationActivities;
import io.mpconnect.workflows.activities.SubscriptionActivities;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.EntitlementSummary;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.MarketplacePricing;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLicenses;
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
import io.mpconnect.workflows.shared.ActivityStubs;
import io.mpconnect.workflows.shared.Retries;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.shared.SupportText;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The subscription of one customer (product code + AWS account id) and its licenses. Subscriptions
 * started before licenses run {@link SubscriptionWorkflowV1Impl} until they migrate.
 */
public class SubscriptionWorkflowImpl implements SubscriptionWorkflow {
  /** Subscriptions started from here on hold licenses; older ones replay the code before. */
  static final String LICENSES_CHANGE = "licenses";
  /**
   * Contract listings read entitlements (and revoke a license whose entitlements all expired);
   * histories recorded before never asked, and replay without it.
   */
  static final String ENTITLEMENTS_CHANGE = "entitlements";
  /** The listing's pricing as this run last recorded it (a mutable side effect). */
  static final String PRICING_MARKER = "marketplace-pricing";
  /**
   * The expiry timer carries a summary (the Temporal UI names it, e.g. "contract expiry … (AWS:
   * …)") and is cancelled as soon as it is moot: the expiry moved (a renewal) or went (the license
   * ended, every expiry gone), or the run continues as new (the next run re-reads and starts its
   * own). Histories recorded before waited on an unnamed timer of {@code Workflow.await} that kept
   * running after an input, and replay without it.
   */
  static final String NAMED_EXPIRY_TIMER_CHANGE = "named-expiry-timer";
  /**
   * The short PostgreSQL steps run as local activities ({@link LocalStoreSteps}), and the search
   * attributes a step changes are upserted once, when the workflow is about to wait: histories
   * recorded before ran each step as an activity and upserted on every publish, and replay without
   * it. Asked once per run, at its start (a run continued as new asks again).
   */
  static final String LOCAL_STORE_STEPS_CHANGE = "local-store-steps";
  /** After a read of the entitlements failed for good, when to look at an expiry again. */
  static final Duration EXPIRY_RECHECK = Duration.ofHours(1);
  /** Inputs (events and links) handled per run before continuing as new. */
  static final int DEFAULT_CONTINUE_AS_NEW_AFTER = 500;
  /** Message ids remembered for de-duplication, carried across runs. */
  static final int REMEMBERED_MESSAGE_IDS = 200;
  /** Onboardings whose confirmation was sent, remembered so a repeated link sends none. */
  static final int REMEMBERED_CONFIRMATIONS = 20;

  // A subscription lives for years: a database outage must delay its transitions, never end the
  // workflow. Retried without a deadline, at most every five minutes; only input that can never
  // apply (INVALID_INPUT) is final, and is recorded as the view's lastError for support. Runs of
  // LOCAL_STORE_STEPS_CHANGE take the database steps as local activities first, and come here
  // only when the database did not answer within the local activity's deadline.
  private static final ActivityOptions DATABASE_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(Retries.backoff(Duration.ofMinutes(5), FailureTypes.INVALID_INPUT))
          .build();

  // After the end of a license AWS accepts its usage for about one hour: a flush request that
  // cannot be made within 50 minutes is too late to matter, and is recorded as lastError.
  private static final ActivityOptions METERING_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setScheduleToCloseTimeout(Duration.ofMinutes(50))
          .setRetryOptions(Retries.backoff(Duration.ofMinutes(1), FailureTypes.INVALID_INPUT))
          .build();

  // GetEntitlements: throttling and AWS 5xx are retried for up to 30 minutes; an invalid request
  // or refused credentials are final (recorded as lastError; the license is left as it is).
  private static final ActivityOptions ENTITLEMENT_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(30))
          .setRetryOptions(
              Retries.backoff(
                  Duration.ofMinutes(1),
                  EntitlementActivities.INVALID_PARAMETER,
                  EntitlementActivities.ACCESS_DENIED,
                  FailureTypes.INVALID_INPUT))
          .build();

  private static final Logger log = Workflow.getLogger(SubscriptionWorkflowImpl.class);

  /**
   * The worker's MARKETPLACE_PRICING. Read by the workflow only through a mutable side effect, so
   * a replay (or a worker configured otherwise) follows what the history recorded.
   */
  private final MarketplacePricing configuredPricing;

  /** A usage listing (the default): entitlements are never read. */
  public SubscriptionWorkflowImpl() {
    this(MarketplacePricing.USAGE);
  }

  /** The worker registers it with its MARKETPLACE_PRICING (a workflow implementation factory). */
  public SubscriptionWorkflowImpl(MarketplacePricing pricing) {
    this(pricing, true);
  }

  private SubscriptionWorkflowImpl(MarketplacePricing pricing, boolean askLocalStoreSteps) {
    this.configuredPricing = pricing == null ? MarketplacePricing.USAGE : pricing;
    this.askLocalStoreSteps = askLocalStoreSteps;
  }

  /**
   * For measuring only (never registered by a worker): runs that never ask {@link
   * #LOCAL_STORE_STEPS_CHANGE} and take the steps of the code before it, as the histories
   * recorded before it replay.
   */
  static SubscriptionWorkflowImpl beforeLocalStoreSteps() {
    return new SubscriptionWorkflowImpl(MarketplacePricing.USAGE, false);
  }

  private final boolean askLocalStoreSteps;
  /** {@link #LOCAL_STORE_STEPS_CHANGE} as this run recorded it (asked once, at the run's start). */
  private boolean localStoreSteps;
  /** Search attribute changes of runs of {@link #LOCAL_STORE_STEPS_CHANGE} not upserted yet. */
  private final Map<String, SearchAttributeUpdate<?>> unpublished = new LinkedHashMap<>();

  /** Signal handlers only queue; the main loop handles one input at a time, in arrival order. */
  private final Deque<Inbound> inbox = new ArrayDeque<>();

  /** Set while this run is a subscription of the code before licenses. */
  private SubscriptionWorkflowV1Impl legacy;

  /**
   * Contract listings: when each license's entitlements all expire (license key to AWS's latest
   * ExpirationDate). A durable timer waits for the earliest; this run re-reads them after a
   * continue-as-new.
   */
  private final Map<String, Instant> expiries = new LinkedHashMap<>();
  /** Licenses whose expiry above is a re-check after a failed read, not AWS's ExpirationDate. */
  private final LinkedHashSet<String> rechecks = new LinkedHashSet<>();

  /** {@link #NAMED_EXPIRY_TIMER_CHANGE} as this history recorded it; null until first asked. */
  private Boolean namedExpiryTimer;
  /** The running named expiry timer (null when none), its scope and its summary. */
  private Promise<Void> expiryTimer;
  private CancellationScope expiryTimerScope;
  private String expiryTimerSummary;

  /** Set when this run was continued from another: the UI shows it no static summary. */
  private String continuedFromRunId;

  private final LinkedHashSet<String> recentMessageIds = new LinkedHashSet<>();
  private final LinkedHashSet<String> confirmedOnboardings = new LinkedHashSet<>();
  private final Map<String, String> published = new HashMap<>();
  private LicenseBook licenses = new LicenseBook(List.of());
  private String productCode;
  private String customerKey;
  private String customerIdentifier;
  private String awsAccountId;
  private SubscriptionLink link;
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
    if (Workflow.getVersion(LICENSES_CHANGE, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      legacy = new SubscriptionWorkflowV1Impl(inbox);
      legacy.run(input);
      return;
    }
    localStoreSteps =
        askLocalStoreSteps
            && Workflow.getVersion(LOCAL_STORE_STEPS_CHANGE, Workflow.DEFAULT_VERSION, 1)
                != Workflow.DEFAULT_VERSION;
    if (input.carried() != null) {
      continuedFromRunId = Workflow.getInfo().getContinuedExecutionRunId().orElse("?");
    }
    restore(input);
    publish();
    if (input.carried() != null) {
      resumeEntitlements();
    }
    int limit =
        input.continueAsNewAfter() > 0 ? input.continueAsNewAfter() : DEFAULT_CONTINUE_AS_NEW_AFTER;
    int handled = 0;
    while (true) {
      if (inbox.isEmpty()) {
        // About to wait: what this workflow task's steps changed goes out in one upsert.
        flushSearchAttributes();
      }
      Instant expiry = nextExpiry();
      // What it waits for now (an input may have moved or removed the expiry after its publish).
      Workflow.setCurrentDetails(details());
      if (expiry == null) {
        // Nothing left to expire (a named timer of an expiry that went is moot).
        cancelExpiryTimer();
        Workflow.await(() -> !inbox.isEmpty());
      } else {
        // A durable timer to the earliest expiry of a contract license's entitlements.
        Duration wait = Duration.between(now(), expiry);
        if (wait.compareTo(Duration.ZERO) > 0) {
          awaitInputOrExpiry(wait, expiry);
        }
        if (!now().isBefore(expiry)) {
          onExpiryDue();
          continue;
        }
      }
      Inbound next = inbox.poll();
      if (next.link() != null) {
        onLink(next.link());
      } else if (next.event() != null) {
        onEvent(next.event());
      } else if (next.adopted() != null) {
        onAdopted(next.adopted());
      }
      handled++;
      boolean due = handled >= limit || Workflow.getInfo().isContinueAsNewSuggested();
      // Continue as new between inputs when the inbox is empty; under a steady stream, at twice
      // the limit anyway, carrying what is queued.
      if (due && (inbox.isEmpty() || handled >= 2 * limit)) {
        // Handlers only queue, but we still wait for every one to finish so no signal this run
        // accepted is left behind; whatever is queued then travels in the snapshot.
        flushSearchAttributes();
        Workflow.await(Workflow::isEveryHandlerFinished);
        // The next run re-reads the entitlements and starts a timer of its own.
        cancelExpiryTimer();
        log.info("continuing as new after {} inputs", handled);
        Workflow.continueAsNew(
            new SubscriptionInput(productCode, customerKey, snapshot(), input.continueAsNewAfter()));
      }
    }
  }

  @Override
  public void link(SubscriptionLink link) {
    if (legacy != null) {
      legacy.link(link);
    } else if (link != null) {
      inbox.add(new Inbound(null, link));
    }
  }

  @Override
  public void lifecycleEvent(LifecycleEvent event) {
    if (legacy != null) {
      legacy.lifecycleEvent(event);
    } else if (event != null && event.action() != null) {
      inbox.add(new Inbound(event, null));
    }
  }

  @Override
  public void adopt(SubscriptionSnapshot legacyState) {
    if (legacy != null) {
      legacy.adopt(legacyState);
    } else if (legacyState != null) {
      inbox.add(new Inbound(null, null, legacyState));
    }
  }

  @Override
  public void migrate() {
    if (legacy != null) {
      legacy.migrate();
    }
  }

  @Override
  public SubscriptionView view() {
    if (legacy != null) {
      return legacy.view();
    }
    return new SubscriptionView(
        Workflow.getInfo().getWorkflowId(),
        productCode,
        customerKey,
        customerIdentifier,
        awsAccountId,
        link == null ? null : link.organizationId(),
        link == null ? null : link.organizationName(),
        status,
        licenses.awsState(),
        plan,
        lastAction,
        lastEventAt,
        eventsApplied,
        duplicatesIgnored,
        staleIgnored,
        lastError,
        licenses.all());
  }

  private void onLink(SubscriptionLink incoming) {
    boolean newOrganization =
        link == null || !Objects.equals(link.organizationId(), incoming.organizationId());
    if (link != null && newOrganization) {
      // The database allows one organization per customer; a different one means the link was
      // replaced there (by support). The newest link wins.
      log.warn("linked to organization {} instead of {}", incoming.organizationId(),
          link.organizationId());
    }
    link = incoming;
    absorb(incoming.customerIdentifier(), incoming.awsAccountId());
    if (incoming.onboardingWorkflowId() != null) {
      // An onboarding of the code before it ended at the link: it waits to hear the status.
      watcher = incoming.onboardingWorkflowId();
    }
    boolean licensesChanged =
        licenses.registered(incoming.licenseArn(), incoming.offerType()) == LicenseBook.Effect.CHANGED;
    publish();
    boolean confirming =
        incoming.confirmToUserId() != null
            && incoming.onboardingId() != null
            && !confirmedOnboardings.contains(incoming.onboardingId());
    // The licenses are stored before the plan changes: whoever sees the paid plan (the product
    // reporting usage) finds the license that makes it paid.
    if (licensesChanged || newOrganization) {
      saveLicenses();
    }
    boolean told = reconcile("link", null, "onboarding", newOrganization, confirming);
    if (!told) {
      // Nothing changed (e.g. an event found this link in the database first): an onboarding of
      // the code before still waits to hear the status.
      tellWatcher();
    }
    if (confirming) {
      confirm(incoming);
    }
  }

  private void onEvent(LifecycleEvent event) {
    if (event.messageId() != null && recentMessageIds.contains(event.messageId())) {
      duplicatesIgnored++;
      log.info("ignoring duplicate {} (message {})", event.action(), event.messageId());
      return;
    }
    remember(recentMessageIds, event.messageId(), REMEMBERED_MESSAGE_IDS);
    List<String> endingBefore = keys(licenses.withStatus(LicenseStatus.ENDING));
    LicenseBook.Effect effect = licenses.apply(event);
    if (effect == LicenseBook.Effect.STALE) {
      // Queues do not keep order: a legacy event older than the last one applied is out of date.
      staleIgnored++;
      log.info("ignoring {} sent at {}, older than the last event applied", event.action(),
          event.occurredAt());
      return;
    }
    if (event.occurredAt() != null && (lastEventAt == null || event.occurredAt().isAfter(lastEventAt))) {
      lastEventAt = event.occurredAt();
    }
    lastAction = event.action();
    absorb(event.customerIdentifier(), event.awsAccountId());
    boolean linkFound = false;
    if (link == null) {
      // A link made before this workflow existed (or whose signal is late) is in the database.
      link = findLink();
      linkFound = link != null;
      if (linkFound) {
        absorb(link.customerIdentifier(), link.awsAccountId());
        if (watcher == null && link.onboardingWorkflowId() != null) {
          // The onboarding that made it may still be running (handing over the link): telling it
          // spares the owners an activation notice on top of its confirmation.
          watcher = link.onboardingWorkflowId();
        }
      }
    }
    publish();
    // Licenses first, then the plan (see onLink).
    if (effect == LicenseBook.Effect.CHANGED || linkFound) {
      saveLicenses();
    }
    reconcile(event.action().wireName(), event.messageId(), event.source(), linkFound, false);
    boolean licenseEnded = false;
    Instant endedAt = null;
    for (License license : licenses.withStatus(LicenseStatus.ENDING)) {
      if (!endingBefore.contains(license.key())) {
        licenseEnded = true;
        if (license.endedAt() != null && (endedAt == null || license.endedAt().isBefore(endedAt))) {
          endedAt = license.endedAt();
        }
      }
    }
    if (licenseEnded) {
      // A license ended: its final metering hour is open, counted from AWS's time of the end.
      requestFinalFlush(endedAt != null ? endedAt : now());
    }
    if (event.action() == LifecycleAction.ENTITLEMENT_UPDATED
        || event.action() == LifecycleAction.LICENSE_UPDATED) {
      onEntitlementsChanged(event);
    }
    if (!expiries.isEmpty() && namedExpiryTimer()) {
      // A license that ended (or failed) has nothing left to expire: its timer is moot.
      expiries.keySet().removeIf(key -> !inForce(key));
    }
    // Counted once all its effects are done, so the view never shows it half-applied.
    eventsApplied++;
  }

  // ---- contract listings: entitlements

  /**
   * entitlement-updated (SNS), or License Updated of a contract listing: re-read the entitlements
   * of the license (License Updated) or of every license still in force (entitlement-updated).
   */
  private void onEntitlementsChanged(LifecycleEvent event) {
    if (awsAccountId == null || !contractListing()) {
      return;
    }
    List<License> targets = new ArrayList<>();
    if (event.action() == LifecycleAction.LICENSE_UPDATED) {
      License license = licenses.byArn(event.licenseArn());
      if (license != null) {
        targets.add(license);
      }
    } else {
      for (License license : licenses.all()) {
        if (license.status() == LicenseStatus.USABLE
            || license.status() == LicenseStatus.PENDING
            || license.status() == LicenseStatus.ENDING) {
          targets.add(license);
        }
      }
    }
    boolean revoked = false;
    for (License license : targets) {
      EntitlementSummary summary = readEntitlements(license);
      revoked |= summary != null && track(license, summary);
    }
    if (revoked) {
      afterExpiry(event.messageId(), event.source());
    }
  }

  /** A new run of a contract listing re-reads what the last run's timers waited for. */
  private void resumeEntitlements() {
    List<License> inForce =
        licenses.all().stream()
            .filter(l -> l.status() == LicenseStatus.USABLE || l.status() == LicenseStatus.ENDING)
            .toList();
    if (inForce.isEmpty() || awsAccountId == null || !contractListing()) {
      return;
    }
    boolean revoked = false;
    for (License license : inForce) {
      EntitlementSummary summary = readEntitlements(license);
      revoked |= summary != null && track(license, summary);
    }
    if (revoked) {
      afterExpiry(null, "entitlements");
    }
  }

  /**
   * The timer fired: AWS moves ExpirationDate forward when a contract renews, so re-read before
   * revoking; a license whose entitlements are still all expired ends.
   */
  private void onExpiryDue() {
    Instant now = now();
    List<String> due =
        expiries.entrySet().stream()
            .filter(e -> !now.isBefore(e.getValue()))
            .map(Map.Entry::getKey)
            .toList();
    boolean revoked = false;
    for (String key : due) {
      License license = licenses.all().stream().filter(l -> l.key().equals(key)).findFirst().orElse(null);
      if (license == null) {
        expiries.remove(key);
        continue;
      }
      EntitlementSummary summary = readEntitlements(license);
      if (summary == null) {
        // Could not read them (recorded as lastError): look again later, never revoke blind.
        expiries.put(key, now.plus(EXPIRY_RECHECK));
        rechecks.add(key);
        continue;
      }
      if (summary.entitlements() == 0 && license.status() != LicenseStatus.ENDED) {
        // AWS no longer lists any entitlement of the license: the ones it had all expired.
        Instant expiredAt = expiries.remove(key);
        revoked |= licenses.expire(key, expiredAt) == LicenseBook.Effect.CHANGED;
        continue;
      }
      revoked |= track(license, summary);
    }
    if (revoked) {
      afterExpiry(null, "entitlements");
    }
  }

  /**
   * Remembers when the license's entitlements all expire; revokes it now when that is already
   * past. Returns whether it was revoked.
   */
  private boolean track(License license, EntitlementSummary summary) {
    Instant allExpireAt = summary.allExpireAt();
    rechecks.remove(license.key());
    if (allExpireAt == null
        || license.status() == LicenseStatus.ENDED
        || license.status() == LicenseStatus.FAILED) {
      expiries.remove(license.key());
      return false;
    }
    if (now().isBefore(allExpireAt)) {
      expiries.put(license.key(), allExpireAt);
      return false;
    }
    expiries.remove(license.key());
    log.info("every entitlement of license {} expired at {}: revoked", shortKey(license), allExpireAt);
    return licenses.expire(license.key(), allExpireAt) == LicenseBook.Effect.CHANGED;
  }

  private void afterExpiry(String messageId, String source) {
    publish();
    saveLicenses();
    reconcile("entitlement-expired", messageId, source, false, false);
  }

  private EntitlementSummary readEntitlements(License license) {
    // A regular activity (it calls AWS): the workflow task ends here.
    flushSearchAttributes();
    try {
      return ActivityStubs.summarized(EntitlementActivities.class, ENTITLEMENT_CALLS,
              "Read the entitlements of license " + shortKey(license))
          .refreshEntitlements(productCode, awsAccountId, license.licenseArn());
    } catch (ActivityFailure failure) {
      failed("reading the entitlements", failure);
      return null;
    }
  }

  /**
   * Whether the listing is a contract listing, as recorded in the history: histories of the code
   * before entitlements never ask (and replay unchanged); usage listings never call the activity.
   */
  private boolean contractListing() {
    if (Workflow.getVersion(ENTITLEMENTS_CHANGE, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return false;
    }
    MarketplacePricing pricing =
        Workflow.mutableSideEffect(
            PRICING_MARKER, MarketplacePricing.class, Objects::equals, () -> configuredPricing);
    return pricing != null && pricing.contract();
  }

  /**
   * Waits for the next input or the expiry. In histories of {@link #NAMED_EXPIRY_TIMER_CHANGE}
   * the timer is named and outlives the wait: an input that leaves the expiry as it was keeps it;
   * one that moves it cancels it and the next wait starts one to the new expiry.
   */
  private void awaitInputOrExpiry(Duration wait, Instant expiry) {
    if (!namedExpiryTimer()) {
      Workflow.await(wait, () -> !inbox.isEmpty());
      return;
    }
    if (!inbox.isEmpty()) {
      // The input first: it may move the expiry (the loop checks the time on every turn).
      return;
    }
    String summary = timerSummary(expiry);
    if (expiryTimer == null || !summary.equals(expiryTimerSummary)) {
      cancelExpiryTimer();
      List<Promise<Void>> started = new ArrayList<>(1);
      CancellationScope scope =
          Workflow.newCancellationScope(
              () -> {
                Promise<Void> timer =
                    Workflow.newTimer(wait, TimerOptions.newBuilder().setSummary(summary).build());
                // Cancelled on purpose once moot: its CanceledFailure is expected, never a fault.
                timer.handle((fired, cancelled) -> null);
                started.add(timer);
              });
      scope.run();
      expiryTimer = started.get(0);
      expiryTimerScope = scope;
      expiryTimerSummary = summary;
    }
    Promise<Void> timer = expiryTimer;
    Workflow.await(() -> !inbox.isEmpty() || timer.isCompleted());
    if (timer.isCompleted()) {
      expiryTimer = null;
      expiryTimerScope = null;
      expiryTimerSummary = null;
    }
  }

  /** Cancels the named expiry timer, if one runs: what it waited for no longer matters. */
  private void cancelExpiryTimer() {
    if (expiryTimer == null) {
      return;
    }
    if (!expiryTimer.isCompleted()) {
      expiryTimerScope.cancel();
    }
    expiryTimer = null;
    expiryTimerScope = null;
    expiryTimerSummary = null;
  }

  private boolean namedExpiryTimer() {
    if (namedExpiryTimer == null) {
      namedExpiryTimer =
          Workflow.getVersion(NAMED_EXPIRY_TIMER_CHANGE, Workflow.DEFAULT_VERSION, 1)
              != Workflow.DEFAULT_VERSION;
    }
    return namedExpiryTimer;
  }

  /**
   * What the Temporal UI lists the timer as: "contract expiry 2027-01-01 00:00:00 UTC (AWS: every
   * entitlement of license agmt-1 expires)", or a re-check after a failed read.
   */
  private String timerSummary(Instant expiry) {
    List<String> expiring = new ArrayList<>();
    List<String> rechecked = new ArrayList<>();
    for (Map.Entry<String, Instant> e : expiries.entrySet()) {
      if (e.getValue().equals(expiry)) {
        License license = license(e.getKey());
        String name = license == null ? e.getKey() : shortKey(license);
        (rechecks.contains(e.getKey()) ? rechecked : expiring).add(name);
      }
    }
    String at = SupportText.at(expiry.toEpochMilli());
    if (expiring.isEmpty()) {
      return "entitlements re-check " + at + " (reading " + licensesNamed(rechecked)
          + "'s entitlements failed)";
    }
    return "contract expiry " + at + " (AWS: every entitlement of " + licensesNamed(expiring)
        + " expires)"
        + (rechecked.isEmpty() ? "" : "; re-check of " + licensesNamed(rechecked));
  }

  private static String licensesNamed(List<String> names) {
    if (names.size() == 1) {
      return License.LEGACY_KEY.equals(names.get(0)) ? "the subscription" : "license " + names.get(0);
    }
    return "licenses " + String.join(", ", names);
  }

  private License license(String key) {
    return licenses.all().stream().filter(l -> l.key().equals(key)).findFirst().orElse(null);
  }

  private boolean inForce(String key) {
    License license = license(key);
    return license != null
        && license.status() != LicenseStatus.ENDED
        && license.status() != LicenseStatus.FAILED;
  }

  private Instant nextExpiry() {
    Instant earliest = null;
    for (Instant at : expiries.values()) {
      if (earliest == null || at.isBefore(earliest)) {
        earliest = at;
      }
    }
    return earliest;
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  /** Merges the state of this customer's subscription of the code before licenses. */
  private void onAdopted(SubscriptionSnapshot old) {
    log.info("adopting the state of the subscription keyed by {}", old.customerIdentifier());
    absorb(old.customerIdentifier(), old.awsAccountId());
    if (link == null && old.link() != null) {
      link = old.link();
    }
    if (watcher == null) {
      watcher = old.watcherWorkflowId();
    }
    if (licenses.isEmpty()) {
      licenses.adoptLegacyState(old.awsState(), old.lastEventAt(), old.lastAction());
    }
    if (old.recentMessageIds() != null) {
      old.recentMessageIds().forEach(id -> remember(recentMessageIds, id, REMEMBERED_MESSAGE_IDS));
    }
    sequence = Math.max(sequence, old.sequence());
    eventsApplied += old.eventsApplied();
    duplicatesIgnored += old.duplicatesIgnored();
    staleIgnored += old.staleIgnored();
    if (plan == null) {
      plan = old.plan();
    }
    if (lastEventAt == null) {
      lastEventAt = old.lastEventAt();
      lastAction = old.lastAction();
    }
    if (status == SubscriptionStatus.PENDING && old.status() != null) {
      // The database holds the old workflow's status: start from it, so the reconcile below
      // writes only a real change.
      status = old.status();
    }
    if (old.pending() != null) {
      // Inputs the old workflow had not handled yet come first.
      List<Inbound> pending = old.pending();
      for (int i = pending.size() - 1; i >= 0; i--) {
        inbox.addFirst(pending.get(i));
      }
    }
    publish();
    saveLicenses();
    reconcile("adopt", null, "migration", false, false);
  }

  /**
   * Brings PostgreSQL, the search attributes, a waiting onboarding and the owners in line with
   * the licenses and whether an organization is linked. Returns whether a watcher was told.
   *
   * @param confirming the link carries the onboarding's confirmation, which tells the customer
   *     the status itself: no separate activation notice
   */
  private boolean reconcile(
      String cause, String messageId, String source, boolean linkArrived, boolean confirming) {
    SubscriptionStatus target = licenses.status(link != null);
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
        && !confirming
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
      SubscriptionNotice told =
          new SubscriptionNotice(
              notice, productCode, customerKey, awsAccountId, link.organizationId(), sequence);
      try {
        database(SubscriptionActivities.class, "Tell the owners: " + notice,
            store -> {
              store.notifyOwners(told);
              return null;
            });
      } catch (ActivityFailure failure) {
        failed("notifying the owners", failure);
      }
    }
    return true;
  }

  /** The onboarding's confirmation, with the status now; a later activation is a second notice. */
  private void confirm(SubscriptionLink incoming) {
    remember(confirmedOnboardings, incoming.onboardingId(), REMEMBERED_CONFIRMATIONS);
    ConfirmationRequest request =
        new ConfirmationRequest(
            incoming.onboardingId(),
            incoming.confirmToUserId(),
            new OrganizationRef(incoming.organizationId(), incoming.organizationName(), plan),
            new ResolvedCustomer(
                productCode, awsAccountId, customerIdentifier, incoming.licenseArn()),
            status);
    try {
      database(NotificationActivities.class,
          "Queue the onboarding's confirmation e-mail (status " + status + ")",
          notifications -> {
            notifications.enqueueConfirmation(request);
            return null;
          });
    } catch (ActivityFailure failure) {
      failed("queueing the confirmation", failure);
    }
  }

  private TransitionResult applyTransition(
      SubscriptionStatus from,
      SubscriptionStatus to,
      String cause,
      String messageId,
      String source) {
    SubscriptionTransition transition =
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
            source);
    try {
      TransitionResult result =
          database(SubscriptionActivities.class, "Record " + from + " → " + to + " (" + cause + ")",
              store -> store.applyTransition(transition));
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

  private void saveLicenses() {
    if (licenses.isEmpty() || awsAccountId == null) {
      return;
    }
    sequence++;
    SubscriptionLicenses saved =
        new SubscriptionLicenses(
            productCode,
            awsAccountId,
            link == null ? null : link.organizationId(),
            licenses.all(),
            sequence);
    try {
      database(SubscriptionActivities.class, "Save " + licenses.all().size() + " license(s)",
          store -> {
            store.saveLicenses(saved);
            return null;
          });
    } catch (ActivityFailure failure) {
      failed("saving the licenses", failure);
    }
  }

  /** True when a running onboarding of the code before was told (it tells the customer). */
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

  private void requestFinalFlush(Instant endedAt) {
    flushSearchAttributes();
    try {
      ActivityStubs.summarized(MeteringFlushActivities.class, METERING_CALLS,
              "Open the final metering hour of the ended license")
          .requestFinalFlush(
          new FinalFlushRequest(
                  productCode,
                  customerKey,
                  customerIdentifier,
                  awsAccountId,
                  link == null ? null : link.organizationId(),
                  Instant.ofEpochMilli(Workflow.currentTimeMillis()),
                  sequence)
              .withEndedAt(endedAt));
    } catch (ActivityFailure failure) {
      failed("requesting the final metering flush", failure);
    }
  }

  private SubscriptionLink findLink() {
    try {
      return database(SubscriptionActivities.class, "Look up the organization link in the database",
          store -> store.findLink(productCode, customerKey));
    } catch (ActivityFailure failure) {
      failed("looking up the link", failure);
      return null;
    }
  }

  /**
   * A short PostgreSQL step. Runs of {@link #LOCAL_STORE_STEPS_CHANGE} take it as a local activity
   * ({@link LocalStoreSteps}); when the database has not answered within its deadline, as a
   * regular activity retried without one (the step is idempotent), as runs before always did.
   */
  private <A, R> R database(Class<A> activities, String summary, Function<A, R> step) {
    if (!localStoreSteps) {
      return step.apply(ActivityStubs.summarized(activities, DATABASE_CALLS, summary));
    }
    try {
      return step.apply(
          ActivityStubs.summarizedLocal(activities, LocalStoreSteps.OPTIONS, summary));
    } catch (ActivityFailure failure) {
      // Past its deadline the last attempt's failure is the cause, with the retry state TIMEOUT
      // (or the attempt itself timed out); InvalidInput and the like end the step as before.
      if (failure.getRetryState() != RetryState.RETRY_STATE_TIMEOUT
          && !(failure.getCause() instanceof TimeoutFailure)) {
        throw failure;
      }
      log.warn("the database did not answer \"{}\" within the local activity's deadline:"
          + " retrying it as an activity", summary);
      flushSearchAttributes();
      return step.apply(ActivityStubs.summarized(activities, DATABASE_CALLS, summary));
    }
  }

  private void failed(String what, ActivityFailure failure) {
    String cause =
        failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage();
    lastError = what + " failed: " + cause;
    log.error("{} failed for good: {}", what, cause);
    Workflow.setCurrentDetails(details());
  }

  private void absorb(String identifier, String account) {
    if (customerIdentifier == null && identifier != null && !identifier.isBlank()) {
      customerIdentifier = identifier;
    }
    if (awsAccountId == null && account != null && !account.isBlank()) {
      awsAccountId = account;
    }
  }

  private static void remember(LinkedHashSet<String> set, String id, int bound) {
    if (id == null) {
      return;
    }
    set.add(id);
    Iterator<String> oldest = set.iterator();
    while (set.size() > bound) {
      oldest.next();
      oldest.remove();
    }
  }

  private static List<String> keys(List<License> list) {
    return list.stream().map(License::key).toList();
  }

  /**
   * Upserts only the search attributes that changed: each upsert is a history event. Runs of
   * {@link #LOCAL_STORE_STEPS_CHANGE} collect them and upsert once before the workflow waits (for
   * an input, a regular activity, or the continue-as-new): every step of a workflow task in one
   * upsert, which nobody can tell apart from several, as they all land when the task completes.
   */
  private void publish() {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    set(updates, SearchAttributes.SUBSCRIPTION_STATUS, status.name());
    set(updates, SearchAttributes.MARKETPLACE_PRODUCT_CODE, productCode);
    set(updates, SearchAttributes.MARKETPLACE_CUSTOMER_ID, customerIdentifier);
    set(updates, SearchAttributes.MARKETPLACE_ACCOUNT_ID, awsAccountId);
    set(updates, SearchAttributes.ORGANIZATION_ID, link == null ? null : link.organizationId());
    if (localStoreSteps) {
      for (SearchAttributeUpdate<?> update : updates) {
        unpublished.put(update.getKey().getName(), update);
      }
    } else if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    }
    Workflow.setCurrentDetails(details());
  }

  /** Upserts what {@link #publish()} collected, in one command (runs of local store steps). */
  private void flushSearchAttributes() {
    if (unpublished.isEmpty()) {
      return;
    }
    Workflow.upsertTypedSearchAttributes(
        unpublished.values().toArray(new SearchAttributeUpdate<?>[0]));
    unpublished.clear();
  }

  private void set(
      List<SearchAttributeUpdate<?>> updates, SearchAttributeKey<String> key, String value) {
    if (value == null || value.equals(published.get(key.getName()))) {
      return;
    }
    published.put(key.getName(), value);
    updates.add(key.valueSet(value));
  }

  /**
   * What the Temporal UI shows support (markdown, no personal data): the status and what the
   * workflow waits for, then the account, the organization and each license.
   */
  private String details() {
    List<License> all = licenses.all();
    String waits;
    Instant expiry = nextExpiry();
    if (link == null) {
      waits = "waiting for an onboarding to link an organization";
    } else if (status == SubscriptionStatus.PENDING) {
      waits = "waiting for AWS to make a license usable (`License Updated` or `subscribe-success`)";
    } else {
      waits = "waiting for AWS's next lifecycle event";
    }
    if (expiry != null) {
      waits += "; entitlements expire at " + SupportText.at(expiry.toEpochMilli());
    }
    String last =
        lastAction == null
            ? ""
            : " (last: `" + lastAction.wireName() + "`"
                + (lastEventAt == null ? "" : " at " + SupportText.at(lastEventAt.toEpochMilli()))
                + ")";
    String who =
        link == null
            ? "no organization linked yet"
            : "organization "
                + (link.organizationName() == null ? "" : "\"" + link.organizationName() + "\" ")
                + "(`" + link.organizationId() + "`)"
                + (plan == null ? "" : " on " + plan);
    String aws;
    if (all.isEmpty()) {
      aws = "no license from AWS yet";
    } else {
      StringBuilder b = new StringBuilder();
      for (License l : all) {
        if (b.length() > 0) {
          b.append(", ");
        }
        b.append(License.LEGACY_KEY.equals(l.key()) ? "subscription" : "license " + shortKey(l))
            .append(' ')
            .append(l.status());
      }
      aws = b.toString();
    }
    // A continued run has no static summary (Temporal drops it at a continue-as-new and 1.38's
    // ContinueAsNewOptions cannot set one): its current details carry the summary's content.
    String summary =
        continuedFromRunId == null
            ? ""
            : SubscriptionSignals.summary(productCode, awsAccountId, link)
                + " (continued as new from run `" + continuedFromRunId + "`)\n\n";
    return summary + "**" + status + "**, " + waits + last + "\n\n"
        + (awsAccountId == null ? "" : "AWS account `" + awsAccountId + "` · ")
        + who + " · " + aws
        + (lastError == null ? "" : "\n\nLast error: " + lastError);
  }

  private static String shortKey(License l) {
    return l.agreementId() != null ? l.agreementId() : l.key();
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
    licenses = new LicenseBook(carried.licenses());
    if (carried.licenses() == null) {
      // A snapshot of the code before licenses: its single state is the implicit license.
      licenses.adoptLegacyState(carried.awsState(), carried.lastEventAt(), carried.lastAction());
    }
    status = carried.status() == null ? SubscriptionStatus.PENDING : carried.status();
    plan = carried.plan();
    lastAction = carried.lastAction();
    lastEventAt = carried.lastEventAt();
    if (carried.recentMessageIds() != null) {
      carried.recentMessageIds().forEach(id -> remember(recentMessageIds, id, REMEMBERED_MESSAGE_IDS));
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
        licenses.awsState(),
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
        List.copyOf(inbox),
        licenses.all());
  }
}
