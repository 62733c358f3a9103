package io.mpconnect.workflows.onboarding;

import io.mpconnect.workflows.activities.AccountActivities;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.MarketplaceActivities;
import io.mpconnect.workflows.activities.NotificationActivities;
import io.mpconnect.workflows.activities.SubscriptionLinkActivities;
import io.mpconnect.workflows.messages.AbandonmentNotice;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.IdentityRef;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingRequest;
import io.mpconnect.workflows.messages.OnboardingResult;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ReminderRequest;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SignInResult;
import io.mpconnect.workflows.messages.SignedInUser;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionUpdate;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.mpconnect.workflows.shared.ActivityStubs;
import io.mpconnect.workflows.shared.Retries;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.shared.SupportText;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionMessages;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;

public class OnboardingWorkflowImpl implements OnboardingWorkflow {
  // AWS: throttling and 5xx are retried with backoff for up to 10 minutes, then the onboarding
  // ends FAILED rather than hanging; token and product errors are non-retryable (no retry storm).
  private static final ActivityOptions AWS_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(
              Retries.backoff(Duration.ofSeconds(30)))
          .build();

  // PostgreSQL: short transactions, retried long enough to ride out a database restart.
  private static final ActivityOptions DATABASE_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(30))
          .setRetryOptions(
              Retries.backoff(Duration.ofMinutes(1), FailureTypes.INVALID_INPUT))
          .build();

  // The short PostgreSQL steps, all but the connect, as local activities (onboardings since
  // CHEAPER_STEPS_CHANGE): run by the workflow's own worker inside the workflow task, no activity
  // task round trip, one marker event each. Retries within the threshold stay in the worker; later ones are durable timers, so
  // the 30 minutes still ride out a database restart. The same non-retryable failure types.
  static final LocalActivityOptions LOCAL_DATABASE_CALLS =
      LocalActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(30))
          .setLocalRetryThreshold(Duration.ofSeconds(30))
          .setRetryOptions(
              Retries.backoff(Duration.ofMinutes(1), FailureTypes.INVALID_INPUT))
          .build();

  // Telling the subscription workflow about the link is a call to Temporal itself: retried for a
  // day, since the paid plan waits for it. If it still fails, the subscription finds the link in
  // the database at its next lifecycle event.
  private static final ActivityOptions TEMPORAL_CALLS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofDays(1))
          .setRetryOptions(
              Retries.backoff(Duration.ofMinutes(5), FailureTypes.INVALID_INPUT))
          .build();

  // The hand-over as a local activity (onboardings at CHEAPER_STEPS_CHANGE version 2): the same
  // day of retries, the later ones on durable timers. A run repeated after a lost workflow task
  // sends the link twice, which the subscription ignores (same organization, confirmed once).
  static final LocalActivityOptions LOCAL_TEMPORAL_CALLS =
      LocalActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofDays(1))
          .setLocalRetryThreshold(Duration.ofSeconds(30))
          .setRetryOptions(
              Retries.backoff(Duration.ofMinutes(5), FailureTypes.INVALID_INPUT))
          .build();

  /**
   * Onboardings before this change activated the paid plan in the connect transaction; since,
   * the connect only links, and the subscription workflow activates once AWS confirmed.
   */
  static final String SUBSCRIPTION_LIFECYCLE_CHANGE = "subscription-lifecycle";

  /**
   * Onboardings before this change waited (up to {@link #AWS_CONFIRMATION_WAIT}) for the
   * subscription workflow to report AWS's answer, then sent the confirmation; since, the onboarding
   * ends CONNECTED once the link is handed to the subscription workflow, which owns the status,
   * sends the confirmation with it, and a second notice when AWS confirms later.
   */
  static final String END_AT_LINK_CHANGE = "end-at-link";

  /**
   * How long the confirmation waits for AWS's answer. subscribe-success usually arrives before the
   * registration, or seconds after; when it is later, the confirmation says so and the owners are
   * told when it arrives.
   */
  static final Duration AWS_CONFIRMATION_WAIT = Duration.ofMinutes(5);

  /**
   * Onboardings before this change waited for the customer with Workflow.await's unnamed timer,
   * which kept running (and showed so in the UI) after the step was done; since, each human step
   * waits on a named timer that is cancelled once the step is done.
   */
  static final String NAMED_TIMERS_CHANGE = "named-timers";

  /**
   * Onboardings before this change waited silently for the organization choice; since, a
   * signed-in customer who has not chosen gets the reminders of {@link OnboardingRequest#reminders}
   * (each on a named timer, all cancelled once the choice arrives or the onboarding ends), and an
   * abandonment notice when the choice timed out.
   */
  static final String REMINDERS_CHANGE = "reminders";

  /**
   * Onboardings before this change ran the PostgreSQL steps (registerCustomer, signIn,
   * listOrganizations, the e-mail enqueues; not the connect) as activities and upserted each search
   * attribute as it became known; since, those steps are local activities, each step change is
   * one upsert that carries whatever else became known with it, and the changes above are all on
   * (an onboarding started on this code calls none of their getVersion, saving their markers).
   * Version 2: the hand-over to the subscription workflow is a local activity too, run in the
   * workflow task that learns the connect's result, which saves an activity task and a workflow
   * task per connected onboarding (version 1 histories keep their activity).
   */
  static final String CHEAPER_STEPS_CHANGE = "cheaper-steps";

  /** The newest version of {@link #CHEAPER_STEPS_CHANGE}. */
  static final int CHEAPER_STEPS_VERSION = 2;

  private static final Logger log = Workflow.getLogger(OnboardingWorkflowImpl.class);

  static final String NONE_ELIGIBLE =
      "None of this sign-in's organizations can be connected. Create a new organization, or, to"
          + " sign in with another method, go back to AWS Marketplace and click Set up your"
          + " account again.";

  /** The authenticate validator's refusal of a second, different identity. */
  public static final String ANOTHER_IDENTITY =
      "This sign-up already belongs to another sign-in. Sign in with the method and account you"
          + " used first, or go back to AWS Marketplace and click Set up your account again (AWS"
          + " gives a new link each time).";

  /** The chooseOrganization validator's refusal of a choice from anyone but the signed-in user. */
  public static final String NOT_THE_CHOOSER =
      "Only the person who signed in to this sign-up can choose its organization. Sign in again"
          + " with the method and account you used for it.";

  private String onboardingId;
  private OnboardingStep step = OnboardingStep.RESOLVING_CUSTOMER;
  private OnboardingOutcome outcome;
  private ResolvedCustomer customer;
  private SignedInUser user;
  /**
   * The identity this onboarding belongs to: the first that signed in (claimed when its sign-in
   * began, so a second identity is refused even while the first is still being looked up). Only
   * the validators read it, so it changes no command.
   */
  private IdentityRef signedInAs;
  private List<OrganizationOption> organizations = List.of();
  private OrganizationRef organization;
  private SubscriptionStatus subscriptionStatus;
  private String message;
  private long stepEnteredAt;
  private Duration authenticationTimeout;
  private Duration organizationTimeout;
  /** Set at the first human step: whether its timers are named and cancelled (see the change). */
  private boolean namedTimers;
  private boolean signInInProgress;
  private ConnectChoice pendingChoice;
  private boolean subscriptionTracked;
  private boolean handedOver;
  /** What the current details say of the next reminder while one is due, else null. */
  private String nextReminder;
  /** Read first in {@link #run}: whether this onboarding runs the cheaper steps. */
  private boolean cheaperSteps;
  /** Read with it: whether the hand-over is a local activity (version 2). */
  private boolean localHandOver;
  /**
   * Search attributes known since the last step change, upserted with the next one (onboardings
   * with {@link #cheaperSteps} only).
   */
  private final List<SearchAttributeUpdate<?>> pendingAttributes = new ArrayList<>();

  @Override
  public OnboardingResult run(OnboardingRequest request) {
    onboardingId = request.onboardingId();
    authenticationTimeout = request.authenticationTimeout();
    organizationTimeout = request.organizationTimeout();
    int stepsVersion =
        Workflow.getVersion(CHEAPER_STEPS_CHANGE, Workflow.DEFAULT_VERSION, CHEAPER_STEPS_VERSION);
    cheaperSteps = stepsVersion >= 1;
    localHandOver = stepsVersion >= 2;
    Workflow.getMetricsScope().counter("mpconnect_onboardings_started").inc(1);
    enter(OnboardingStep.RESOLVING_CUSTOMER);
    try {
      customer =
          marketplace("Resolve the registration token with AWS (ResolveCustomer)")
              .resolveCustomer(request.registrationToken());
    } catch (ActivityFailure failure) {
      return finish(outcomeOfResolveFailure(failure));
    }
    // With the cheaper steps, they go with the next step change (awaiting sign-in, or done).
    attributes(
        SearchAttributes.MARKETPLACE_ACCOUNT_ID.valueSet(customer.awsAccountId()),
        SearchAttributes.MARKETPLACE_PRODUCT_CODE.valueSet(customer.productCode()),
        customer.customerIdentifier() == null
            ? SearchAttributes.MARKETPLACE_CUSTOMER_ID.valueUnset()
            : SearchAttributes.MARKETPLACE_CUSTOMER_ID.valueSet(customer.customerIdentifier()));

    OrganizationRef linked =
        accounts("Record AWS account " + customer.awsAccountId() + "; is it linked already?")
            .registerCustomer(customer);
    if (linked != null) {
      return finishAlreadyLinked(linked);
    }

    enter(OnboardingStep.AWAITING_AUTHENTICATION);
    namedTimers = cheaperSteps || isOn(NAMED_TIMERS_CHANGE);
    // A sign-in still running when the timeout fires is let finish: the customer is there.
    boolean arrived =
        awaitWithin(
            request.authenticationTimeout(),
            "sign-in timeout (" + SupportText.duration(request.authenticationTimeout()) + ")",
            () -> user != null || signInInProgress);
    Workflow.await(() -> !signInInProgress);
    if (!arrived && user == null) {
      return finish(OnboardingOutcome.ABANDONED);
    }

    boolean remindersOn = cheaperSteps || isOn(REMINDERS_CHANGE);
    CancellationScope reminding = remindersOn ? remind(request.reminders()) : null;
    while (true) {
      boolean chosen =
          awaitWithin(
              request.organizationTimeout(),
              "organization choice timeout (" + SupportText.duration(request.organizationTimeout())
                  + ")",
              () -> pendingChoice != null);
      // Reminders are for the first wait only: one who chose and is asked again was just here.
      stopReminders(reminding);
      if (!chosen) {
        // Only to someone whose sign-in went through (a sign-in that failed for good left none).
        if (remindersOn && user != null) {
          noticeAbandonment();
        }
        return finish(OnboardingOutcome.ABANDONED);
      }
      enter(OnboardingStep.CONNECTING);
      boolean activateAtConnect = !cheaperSteps && !isOn(SUBSCRIPTION_LIFECYCLE_CHANGE);
      ConnectResult result;
      try {
        // An activity task still, not a local activity: see connecting().
        result =
            connecting("Connect " + chosen() + " to AWS account " + customer.awsAccountId())
                .connect(
                    new ConnectCommand(
                    onboardingId, user.userId(), customer, pendingChoice, activateAtConnect));
      } catch (ActivityFailure failure) {
        log.warn("connect failed for good: {}", failure.getCause().getMessage());
        return finish(OnboardingOutcome.FAILED);
      }
      switch (result.status()) {
        case CONNECTED -> {
          organization = result.organization();
          // With the cheaper steps, it goes with the end's upsert.
          attributes(SearchAttributes.ORGANIZATION_ID.valueSet(organization.id()));
          if (!activateAtConnect) {
            if (!cheaperSteps && !isOn(END_AT_LINK_CHANGE)) {
              return confirmOnceAwsAnswers();
            }
            return handOverToSubscription(request);
          }
          subscriptionStatus = SubscriptionStatus.ACTIVE;
          enter(OnboardingStep.CONFIRMING);
          notifications("Queue the confirmation e-mail")
              .enqueueConfirmation(
                  new ConfirmationRequest(onboardingId, user.userId(), organization, customer));
          return finish(OnboardingOutcome.CONNECTED);
        }
        case CUSTOMER_ALREADY_LINKED -> {
          return finishAlreadyLinked(result.organization());
        }
        case ORGANIZATION_UNAVAILABLE -> {
          // Someone changed the organization since the list was shown: let the customer choose again.
          organizations =
              accounts("Reload the organizations: the chosen one was taken meanwhile")
                  .listOrganizations(user.userId());
          pendingChoice = null;
          enter(OnboardingStep.AWAITING_ORGANIZATION);
          message = result.message();
        }
      }
    }
  }

  /**
   * The link is committed: hand it to the subscription workflow, which activates the paid plan
   * once AWS confirms and sends the confirmation with the status it then knows. The onboarding
   * ends here; the page shows the subscription's status as its workflow stored it.
   */
  private OnboardingResult handOverToSubscription(OnboardingRequest request) {
    try {
      handOver(
              "Hand the link to "
                  + SubscriptionIds.workflowId(
                      customer.productCode(), SubscriptionIds.customerKey(customer)))
          .linkOrganization(
          new SubscriptionLink(
              customer.productCode(),
              SubscriptionIds.customerKey(customer),
              customer.awsAccountId(),
              customer.customerIdentifier(),
              organization.id(),
              organization.name(),
              onboardingId,
              null,
              customer.licenseArn(),
              user.userId(),
              request.offerType()));
    } catch (ActivityFailure failure) {
      // The link is committed; the subscription finds it in the database at AWS's next event.
      // Without the hand-over no confirmation is sent by it: send it here, status unknown.
      log.error(
          "could not tell the subscription about the link: {}", failure.getCause().getMessage());
      notifications("Queue the confirmation e-mail (the hand-over failed)")
          .enqueueConfirmation(
              new ConfirmationRequest(onboardingId, user.userId(), organization, customer));
    }
    handedOver = true;
    return finish(OnboardingOutcome.CONNECTED);
  }

  /**
   * Onboardings before {@link #END_AT_LINK_CHANGE}. The organization is linked but on Starter: the
   * subscription workflow activates it once AWS confirmed. Tell it about the link, give AWS a few minutes to answer (the subscription workflow
   * signals back), and confirm with whatever is known then.
   */
  private OnboardingResult confirmOnceAwsAnswers() {
    subscriptionTracked = true;
    if (subscriptionStatus == null) {
      subscriptionStatus = SubscriptionStatus.PENDING;
    }
    enter(OnboardingStep.CONFIRMING);
    message = SubscriptionMessages.waitingForAws(organization.name());
    Workflow.setCurrentDetails(
        "Linked; waiting for AWS Marketplace's subscribe-success (AWS account "
            + customer.awsAccountId()
            + "), then sending the confirmation");
    try {
      subscriptionLinks("Tell the subscription about the link and wait for AWS's answer")
          .linkOrganization(
          new SubscriptionLink(
              customer.productCode(),
              SubscriptionIds.customerKey(customer),
              customer.awsAccountId(),
              customer.customerIdentifier(),
              organization.id(),
              organization.name(),
              onboardingId,
              Workflow.getInfo().getWorkflowId()));
      Workflow.await(
          AWS_CONFIRMATION_WAIT, () -> subscriptionStatus != SubscriptionStatus.PENDING);
    } catch (ActivityFailure failure) {
      // The link is committed; the subscription finds it at AWS's next event.
      log.error(
          "could not tell the subscription about the link: {}", failure.getCause().getMessage());
    }
    notifications("Queue the confirmation e-mail")
        .enqueueConfirmation(
            new ConfirmationRequest(
                onboardingId, user.userId(), organization, customer, subscriptionStatus));
    return finish(OnboardingOutcome.CONNECTED);
  }

  @Override
  public void subscriptionChanged(SubscriptionUpdate update) {
    if (update == null || update.status() == null) {
      return;
    }
    subscriptionStatus = update.status();
    if (organization != null && update.plan() != null) {
      organization = new OrganizationRef(organization.id(), organization.name(), update.plan());
    }
  }

  @Override
  public OnboardingView authenticate(VerifiedIdentity identity) {
    // A quick customer may sign in while AWS is still being asked; sign-in waits for the answer.
    Workflow.await(() -> step != OnboardingStep.RESOLVING_CUSTOMER);
    if (outcome != null) {
      return view();
    }
    if (signedInAs == null) {
      signedInAs = IdentityRef.of(identity);
    }
    signInInProgress = true;
    try {
      SignInResult result =
          accounts("Sign in: load the user and their organizations").signIn(identity);
      user = result.user();
      // The identity whose user is now the onboarding's (the same one, since the validator refuses
      // any other; a history from before that rule may hold a second identity that replaced it).
      signedInAs = IdentityRef.of(identity);
      organizations = result.organizations();
      enter(OnboardingStep.AWAITING_ORGANIZATION);
      message =
          organizations.stream().anyMatch(OrganizationOption::eligible)
              ? null
              : NONE_ELIGIBLE;
      return view();
    } finally {
      signInInProgress = false;
    }
  }

  @Override
  public void validateAuthenticate(VerifiedIdentity identity) {
    if (step != OnboardingStep.RESOLVING_CUSTOMER
        && step != OnboardingStep.AWAITING_AUTHENTICATION
        && step != OnboardingStep.AWAITING_ORGANIZATION) {
      throw new IllegalStateException(notWaitingMessage("a sign-in"));
    }
    if (signInInProgress) {
      throw new IllegalStateException("A sign-in is already being processed; try again shortly.");
    }
    if (identity == null || isBlank(identity.issuer()) || isBlank(identity.subject())) {
      throw new IllegalArgumentException("The identity must have an issuer and a subject.");
    }
    // An onboarding binds one user only: a second, different identity is refused (the same one
    // again is fine, e.g. a sign-in repeated after a back button). Validators write no history.
    if (signedInAs != null && !signedInAs.equals(IdentityRef.of(identity))) {
      throw new IllegalStateException(ANOTHER_IDENTITY);
    }
  }

  @Override
  public OnboardingView chooseOrganization(ConnectChoice choice) {
    pendingChoice = choice;
    // Answer once this choice was acted on: connected, refused, or the onboarding ended.
    Workflow.await(() -> pendingChoice != choice || outcome != null);
    return view();
  }

  @Override
  public void validateChooseOrganization(ConnectChoice choice) {
    if (step != OnboardingStep.AWAITING_ORGANIZATION || pendingChoice != null) {
      throw new IllegalStateException(notWaitingMessage("an organization"));
    }
    if (choice == null) {
      throw new IllegalArgumentException("Choose an organization or name a new one.");
    }
    // Only the identity that signed in may choose (the api sends who is signed in to the session
    // that made the choice). Histories from before the chooser existed hold null here: the
    // validator does not run on replay.
    if (choice.chooser() == null || !choice.chooser().equals(signedInAs)) {
      throw new IllegalStateException(NOT_THE_CHOOSER);
    }
    boolean existing = !isBlank(choice.organizationId());
    boolean create = choice.newOrganizationName() != null;
    if (existing == create) {
      throw new IllegalArgumentException(
          "Choose either an existing organization or a name for a new one, not both.");
    }
    if (create) {
      String problem = OrganizationNames.problemWith(choice.newOrganizationName(), organizations);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      return;
    }
    OrganizationOption option =
        organizations.stream()
            .filter(o -> o.id().equals(choice.organizationId()))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "That organization is not one of yours; choose one from the list."));
    if (!option.eligible()) {
      throw new IllegalArgumentException(
          "\"" + option.name() + "\" cannot be connected: " + Messages.reason(option));
    }
  }

  @Override
  public OnboardingView view() {
    return new OnboardingView(
        onboardingId,
        step,
        outcome,
        customer == null
            ? null
            : new OnboardingView.Customer(
                customer.awsAccountId(), customer.customerIdentifier(), customer.productCode()),
        user == null
            ? null
            : new OnboardingView.User(user.displayName(), user.email(), user.provider()),
        organizations,
        organization,
        subscriptionStatus == null ? null : new OnboardingView.Subscription(subscriptionStatus),
        message);
  }

  @Override
  public IdentityRef signedInAs() {
    return signedInAs;
  }

  private void enter(OnboardingStep next) {
    long now = Workflow.currentTimeMillis();
    if (stepEnteredAt > 0) {
      // The metrics scope is replay-safe: nothing is reported twice when history replays.
      Workflow.getMetricsScope()
          .tagged(Map.of("step", step.name()))
          .timer("mpconnect_onboarding_step_duration")
          .record(com.uber.m3.util.Duration.ofMillis(now - stepEnteredAt));
    }
    stepEnteredAt = now;
    step = next;
    message = null;
    pendingAttributes.add(SearchAttributes.ONBOARDING_STEP.valueSet(next.name()));
    Workflow.upsertTypedSearchAttributes(
        pendingAttributes.toArray(SearchAttributeUpdate<?>[]::new));
    pendingAttributes.clear();
    Workflow.setCurrentDetails(details(next));
  }

  /**
   * Starts the reminders of a signed-in customer who has not chosen yet: reminder i is queued
   * {@code schedule[i]} after now (the sign-in) on a timer named "reminder i (after)", unless the
   * customer chose or the onboarding ended meanwhile. Cancelling the returned scope cancels the
   * pending timer; null when there is nothing to remind of.
   */
  private CancellationScope remind(List<Duration> schedule) {
    if (schedule == null || schedule.isEmpty()) {
      return null;
    }
    long from = Workflow.currentTimeMillis();
    CancellationScope scope =
        Workflow.newCancellationScope(() -> Async.procedure(() -> sendReminders(schedule, from)));
    scope.run();
    return scope;
  }

  /** The reminders' own workflow thread: each in turn, until the scope is cancelled. */
  private void sendReminders(List<Duration> schedule, long from) {
    Instant expiresAt = Instant.ofEpochMilli(from).plus(organizationTimeout);
    try {
      for (int i = 0; i < schedule.size(); i++) {
        Duration after = schedule.get(i);
        long due = from + after.toMillis();
        showNextReminder(Messages.nextReminder(i + 1, schedule.size(), after, due));
        long wait = due - Workflow.currentTimeMillis();
        if (wait > 0) {
          String name = "reminder " + (i + 1) + " (" + SupportText.duration(after) + ")";
          TimerOptions named = TimerOptions.newBuilder().setSummary(name).build();
          Workflow.newTimer(Duration.ofMillis(wait), named).get();
        }
        if (!awaitingChoice()) {
          return;
        }
        sendReminder(
            new ReminderRequest(
                onboardingId,
                user.userId(),
                customer.awsAccountId(),
                i + 1,
                schedule.size(),
                expiresAt));
      }
      showNextReminder(null);
    } catch (CanceledFailure stopped) {
      // The customer chose, or the onboarding ended: no more reminders.
    }
  }

  private void sendReminder(ReminderRequest request) {
    try {
      notifications("Queue reminder e-mail " + request.number() + " of " + request.of())
          .enqueueReminder(request);
    } catch (ActivityFailure failure) {
      if (failure.getCause() instanceof CanceledFailure) {
        throw (CanceledFailure) failure.getCause();
      }
      // A reminder is a courtesy: the customer can still choose without it.
      log.warn("reminder {} not queued: {}", request.number(), failure.getCause().getMessage());
    }
  }

  private void stopReminders(CancellationScope reminding) {
    if (reminding != null) {
      reminding.cancel();
    }
    showNextReminder(null);
  }

  /** Tells the customer, who signed in but chose nothing in time, that the sign-up ended. */
  private void noticeAbandonment() {
    try {
      notifications("Queue the abandonment notice e-mail")
          .enqueueAbandonmentNotice(
              new AbandonmentNotice(onboardingId, user.userId(), customer.awsAccountId()));
    } catch (ActivityFailure failure) {
      log.warn("abandonment notice not queued: {}", failure.getCause().getMessage());
    }
  }

  private boolean awaitingChoice() {
    return outcome == null && step == OnboardingStep.AWAITING_ORGANIZATION && pendingChoice == null;
  }

  private void showNextReminder(String next) {
    if (next == null && nextReminder == null) {
      return;
    }
    nextReminder = next;
    Workflow.setCurrentDetails(details(step));
  }

  private String details(OnboardingStep s) {
    String details = Messages.details(s, customer, organization, stepEnteredAt, timeoutOf(s));
    return s == OnboardingStep.AWAITING_ORGANIZATION && nextReminder != null
        ? details + "\n\n" + nextReminder
        : details;
  }

  private Duration timeoutOf(OnboardingStep s) {
    return switch (s) {
      case AWAITING_AUTHENTICATION -> authenticationTimeout;
      case AWAITING_ORGANIZATION -> organizationTimeout;
      default -> null;
    };
  }

  /**
   * Waits until {@code done} holds or {@code timeout} passed; true when it held in time. The
   * timer carries a summary and is cancelled once the step is done, so the UI lists it by name
   * and never as still running after the customer acted. Histories from before the change keep
   * Workflow.await's unnamed timer.
   */
  private boolean awaitWithin(Duration timeout, String timerSummary, Supplier<Boolean> done) {
    if (!namedTimers) {
      return Workflow.await(timeout, done);
    }
    List<Promise<Void>> timer = new ArrayList<>(1);
    CancellationScope scope =
        Workflow.newCancellationScope(
            () ->
                timer.add(
                    Workflow.newTimer(
                        timeout, TimerOptions.newBuilder().setSummary(timerSummary).build())));
    scope.run();
    Workflow.await(() -> timer.get(0).isCompleted() || done.get());
    boolean inTime = !timer.get(0).isCompleted();
    if (inTime) {
      scope.cancel();
    }
    return inTime;
  }

  /** What the customer chose, as the connect's summary names it. */
  private String chosen() {
    if (pendingChoice.newOrganizationName() != null) {
      return "new organization \"" + pendingChoice.newOrganizationName().strip() + "\"";
    }
    return organizations.stream()
        .filter(o -> o.id().equals(pendingChoice.organizationId()))
        .findFirst()
        .map(o -> "organization \"" + o.name() + "\" (" + o.id() + ")")
        .orElse("organization " + pendingChoice.organizationId());
  }

  private MarketplaceActivities marketplace(String summary) {
    return ActivityStubs.summarized(MarketplaceActivities.class, AWS_CALLS, summary);
  }

  private AccountActivities accounts(String summary) {
    return cheaperSteps
        ? ActivityStubs.summarizedLocal(AccountActivities.class, LOCAL_DATABASE_CALLS, summary)
        : ActivityStubs.summarized(AccountActivities.class, DATABASE_CALLS, summary);
  }

  /**
   * The connect stays an activity task. It commits the link (and may create an organization), so
   * it should run once: a worker stopping mid-connect finishes it and reports it (a local
   * activity would be run again by the next worker, its workflow task handed back); while it
   * retries, support sees it under Pending activities with its attempt and last failure; and a
   * connect waiting on row locks would hold the workflow task. One activity task is the price.
   */
  private AccountActivities connecting(String summary) {
    return ActivityStubs.summarized(AccountActivities.class, DATABASE_CALLS, summary);
  }

  private NotificationActivities notifications(String summary) {
    return cheaperSteps
        ? ActivityStubs.summarizedLocal(NotificationActivities.class, LOCAL_DATABASE_CALLS, summary)
        : ActivityStubs.summarized(NotificationActivities.class, DATABASE_CALLS, summary);
  }

  /** Whether an onboarding from before {@link #CHEAPER_STEPS_CHANGE} runs with this change on. */
  private static boolean isOn(String change) {
    return Workflow.getVersion(change, Workflow.DEFAULT_VERSION, 1) != Workflow.DEFAULT_VERSION;
  }

  /**
   * Upserts these search attributes now, or, with the cheaper steps, with the next step change.
   */
  private void attributes(SearchAttributeUpdate<?>... updates) {
    if (cheaperSteps) {
      pendingAttributes.addAll(List.of(updates));
    } else {
      Workflow.upsertTypedSearchAttributes(updates);
    }
  }

  private SubscriptionLinkActivities subscriptionLinks(String summary) {
    return ActivityStubs.summarized(SubscriptionLinkActivities.class, TEMPORAL_CALLS, summary);
  }

  /** The hand-over's stub: a local activity since version 2 of the cheaper steps. */
  private SubscriptionLinkActivities handOver(String summary) {
    return localHandOver
        ? ActivityStubs.summarizedLocal(
            SubscriptionLinkActivities.class, LOCAL_TEMPORAL_CALLS, summary)
        : subscriptionLinks(summary);
  }

  private OnboardingResult finishAlreadyLinked(OrganizationRef linked) {
    organization = linked;
    return finish(OnboardingOutcome.ALREADY_LINKED);
  }

  private OnboardingResult finish(OnboardingOutcome how) {
    OnboardingStep lastStep = step;
    if (cheaperSteps) {
      pendingAttributes.add(SearchAttributes.ONBOARDING_OUTCOME.valueSet(how.name()));
    }
    enter(OnboardingStep.DONE);
    outcome = how;
    message =
        how == OnboardingOutcome.CONNECTED && handedOver
            ? SubscriptionMessages.linked(organization.name())
            : how == OnboardingOutcome.CONNECTED && subscriptionTracked
            ? SubscriptionMessages.connected(
                organization.name(), subscriptionStatus, organization.plan())
            : Messages.outcome(how, organization);
    if (!cheaperSteps) {
      Workflow.upsertTypedSearchAttributes(
          SearchAttributes.ONBOARDING_OUTCOME.valueSet(how.name()));
    }
    Workflow.getMetricsScope()
        .tagged(Map.of("outcome", how.name()))
        .counter("mpconnect_onboardings_completed")
        .inc(1);
    Workflow.setCurrentDetails(
        Messages.ended(how, lastStep, customer, organization, stepEnteredAt, timeoutOf(lastStep)));
    // Let a waiting choose-organization update see the end before the run closes.
    Workflow.await(Workflow::isEveryHandlerFinished);
    return new OnboardingResult(how, organization, message);
  }

  private static OnboardingOutcome outcomeOfResolveFailure(ActivityFailure failure) {
    if (failure.getCause() instanceof ApplicationFailure application) {
      switch (application.getType()) {
        case FailureTypes.INVALID_TOKEN:
          return OnboardingOutcome.INVALID_TOKEN;
        case FailureTypes.EXPIRED_TOKEN:
          return OnboardingOutcome.EXPIRED_TOKEN;
        case FailureTypes.WRONG_PRODUCT:
          return OnboardingOutcome.WRONG_PRODUCT;
        default:
          break;
      }
    }
    log.warn("resolving the customer failed for good: {}", failure.getCause().getMessage());
    return OnboardingOutcome.FAILED;
  }

  private String notWaitingMessage(String what) {
    if (outcome != null) {
      return "This onboarding has ended (" + outcome + ").";
    }
    return "This onboarding is not waiting for " + what + " (step " + step + ").";
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
