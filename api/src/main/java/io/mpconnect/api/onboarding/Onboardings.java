package io.mpconnect.api.onboarding;

import io.mpconnect.api.marketplace.StoredSubscriptionStatus;
import io.mpconnect.api.session.Session;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.IdentityRef;
import io.mpconnect.workflows.messages.OnboardingRequest;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.mpconnect.workflows.onboarding.OnboardingWorkflow;
import io.mpconnect.workflows.onboarding.OrganizationNames;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.client.WorkflowUpdateTimeoutOrCancelledException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The api's only way to onboardings: start, query, and the two Updates. */
public final class Onboardings {
  private static final Logger log = LoggerFactory.getLogger(Onboardings.class);

  private final WorkflowClient client;
  private final String taskQueue;
  private final Duration authenticationTimeout;
  private final Duration organizationTimeout;
  /** ONBOARDING_REMINDERS: when a signed-in customer who has not chosen is reminded. */
  private final List<Duration> reminders;
  /** MARKETPLACE_PRODUCT_CODE, for the static summary; null when unset. */
  private final String productCode;
  private final FinalViews finalViews = new FinalViews();
  private final UpdateAnswers updateAnswers = new UpdateAnswers();
  /** A connected onboarding's subscription, as its workflow stored it. */
  private final StoredSubscriptionStatus subscriptions;

  /**
   * @param reminders when to remind a signed-in customer who has not chosen an organization, each
   *     after the sign-in (ApiSettings#reminders validated them); empty for none
   * @param subscriptions where a connected onboarding's subscription status and licenses are read
   */
  public Onboardings(WorkflowClient client, String taskQueue, Duration authenticationTimeout,
      Duration organizationTimeout, List<Duration> reminders, String productCode,
      StoredSubscriptionStatus subscriptions) {
    this.subscriptions = subscriptions;
    this.reminders = List.copyOf(reminders);
    this.productCode = productCode;
    this.client = client;
    this.taskQueue = taskQueue;
    this.authenticationTimeout = authenticationTimeout;
    this.organizationTimeout = organizationTimeout;
  }

  /**
   * Starts the onboarding of a token, if nobody has: the id is the token's hash, so a second POST
   * of the same token finds the same workflow, running or closed, and starts nothing.
   *
   * @return true when this call started it (the caller's browser owns it); false when it existed
   *     already (started by an earlier POST of the same token, from whichever browser)
   */
  public boolean start(String onboardingId, String token, String offerType) {
    String workflowId = OnboardingIds.workflowId(onboardingId);
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(workflowId)
            .setTaskQueue(taskQueue)
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
            // A running one is not reused: who started it is who owns it (RegistrationRoutes).
            .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
            .setTypedSearchAttributes(
                io.temporal.common.SearchAttributes.newBuilder()
                    .set(SearchAttributes.ONBOARDING_STEP, OnboardingStep.RESOLVING_CUSTOMER.name())
                    .build())
            .setStaticSummary(summary(productCode))
            .setStaticDetails(details(offerType))
            .build();
    OnboardingWorkflow workflow = client.newWorkflowStub(OnboardingWorkflow.class, options);
    try {
      WorkflowClient.start(
          workflow::run,
          new OnboardingRequest(
              onboardingId, token, offerType, authenticationTimeout, organizationTimeout,
              reminders));
      log.info("onboarding started: {}", workflowId);
      return true;
    } catch (WorkflowExecutionAlreadyStarted exists) {
      log.info("onboarding exists already (running or closed): {}", workflowId);
      return false;
    }
  }

  /**
   * What support sees first in the Temporal UI, fixed at start: only the product is known then;
   * AWS names the account once it resolved the token, and the current details carry it from there.
   */
  static String summary(String productCode) {
    return "AWS Marketplace onboarding"
        + (productCode == null || productCode.isBlank() ? "" : " · product " + productCode)
        + " · AWS account not known yet (see current details)";
  }

  static String details(String offerType) {
    return "Started by AWS Marketplace's *Set up your account* (registration token resolved by"
        + " the workflow, never shown)"
        + (offerType == null || offerType.isBlank() ? "" : "; offer type `" + offerType + "`");
  }

  /**
   * The workflow's view, with its subscription's stored status; empty when there is no such
   * onboarding. An ended onboarding's view is remembered ({@link FinalViews}) and not queried
   * again, so it is answered even while Temporal is unavailable, with the status the onboarding
   * ended with when PostgreSQL cannot be read either. The first read after an Update answered
   * (the page after the sign-in) takes that answer instead of a query ({@link UpdateAnswers}).
   */
  public Optional<OnboardingView> view(String onboardingId) {
    OnboardingView view = finalViews.get(onboardingId);
    if (view == null) {
      // The sign-in's answer, when this read follows it (the redirect to the page).
      view = updateAnswers.take(onboardingId);
    }
    if (view == null) {
      try {
        view = finalViews.remember(
            onboardingId, stub(onboardingId).query("view", OnboardingView.class));
      } catch (WorkflowNotFoundException notFound) {
        return Optional.empty();
      }
    }
    return Optional.of(subscriptions.refresh(view));
  }

  /**
   * The identity the onboarding belongs to; null when nobody signed in yet or there is no such
   * onboarding (the caller treats both alike, so nobody learns which).
   */
  public IdentityRef signedInAs(String onboardingId) {
    try {
      return stub(onboardingId).query("signedInAs", IdentityRef.class);
    } catch (WorkflowNotFoundException notFound) {
      return null;
    }
  }

  /** A view the workflow answered, with its subscription's stored status and licenses. */
  public OnboardingView refresh(OnboardingView view) {
    return subscriptions.refresh(view);
  }

  /**
   * Sends the choice as made by the identity signed in to {@code session}; the workflow's
   * validator refuses it unless that is the identity its sign-in bound.
   */
  public UpdateOutcome chooseOrganization(
      String onboardingId, ConnectChoice choice, Session session, Duration wait) {
    return update(onboardingId, "chooseOrganization", choice.by(chooser(session)), wait);
  }

  /**
   * What is wrong with a new organization's name on its own (blank, too long, hidden characters),
   * answered here before any workflow task; null when nothing is, or for an existing organization.
   * The workflow's validator checks the same rules and the duplicates, which only it knows.
   */
  static String nameProblem(ConnectChoice choice) {
    return choice.newOrganizationName() == null || choice.organizationId() != null
        ? null
        : OrganizationNames.problemWith(choice.newOrganizationName(), java.util.List.of());
  }

  /** Who is signed in to the session, as the workflow knows identities; null when nobody. */
  static IdentityRef chooser(Session session) {
    Session.SignedIn user = session.user();
    return user == null ? null : new IdentityRef(user.issuer(), user.subject());
  }

  public UpdateOutcome authenticate(String onboardingId, VerifiedIdentity identity, Duration wait) {
    return update(onboardingId, "authenticate", identity, wait);
  }

  /**
   * Sends an Update and waits only until the workflow accepted it (the validator ran), then up to
   * {@code wait} for its result, so a slow activity turns into "pending" and the page polls.
   */
  private UpdateOutcome update(String onboardingId, String name, Object argument, Duration wait) {
    String workflowId = OnboardingIds.workflowId(onboardingId);
    try {
      WorkflowUpdateHandle<OnboardingView> handle =
          stub(onboardingId)
              .startUpdate(name, WorkflowUpdateStage.ACCEPTED, OnboardingView.class, argument);
      OnboardingView view =
          handle.getResultAsync(wait.toMillis(), TimeUnit.MILLISECONDS)
              .get(wait.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      // The connect's result is usually the ended onboarding's last view; the sign-in's is the
      // view the page reads next.
      updateAnswers.put(onboardingId, view);
      return UpdateOutcome.completed(finalViews.remember(onboardingId, view));
    } catch (WorkflowNotFoundException notFound) {
      return UpdateOutcome.notFound();
    } catch (WorkflowUpdateException e) {
      return failed(workflowId, name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UpdateOutcome.pending();
    } catch (TimeoutException e) {
      return UpdateOutcome.pending();
    } catch (ExecutionException e) {
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof WorkflowUpdateException rejected) {
          return failed(workflowId, name, rejected);
        }
        if (cause instanceof TimeoutException
            || cause instanceof WorkflowUpdateTimeoutOrCancelledException) {
          return UpdateOutcome.pending();
        }
        if (cause instanceof WorkflowNotFoundException) {
          return UpdateOutcome.notFound();
        }
      }
      throw new IllegalStateException("update " + name + " of " + workflowId + " failed", e);
    }
  }

  /** A validator's IllegalArgument/IllegalState is a refusal the customer should read. */
  private static UpdateOutcome failed(String workflowId, String name, WorkflowUpdateException e) {
    if (e.getCause() instanceof ApplicationFailure failure
        && (IllegalArgumentException.class.getName().equals(failure.getType())
            || IllegalStateException.class.getName().equals(failure.getType()))) {
      return UpdateOutcome.rejected(failure.getOriginalMessage());
    }
    log.warn("update {} of {} failed: {}", name, workflowId,
        e.getCause() == null ? e.toString() : e.getCause().getClass().getSimpleName());
    return UpdateOutcome.failed();
  }

  private WorkflowStub stub(String onboardingId) {
    return client.newUntypedWorkflowStub(OnboardingIds.workflowId(onboardingId));
  }

  /** How an Update went, from the caller's point of view. */
  public record UpdateOutcome(Kind kind, OnboardingView view, String message) {
    public enum Kind { COMPLETED, PENDING, REJECTED, FAILED, NOT_FOUND }

    static UpdateOutcome completed(OnboardingView view) {
      return new UpdateOutcome(Kind.COMPLETED, view, null);
    }

    static UpdateOutcome pending() {
      return new UpdateOutcome(Kind.PENDING, null, null);
    }

    static UpdateOutcome rejected(String message) {
      return new UpdateOutcome(Kind.REJECTED, null, message);
    }

    static UpdateOutcome failed() {
      return new UpdateOutcome(Kind.FAILED, null, null);
    }

    static UpdateOutcome notFound() {
      return new UpdateOutcome(Kind.NOT_FOUND, null, null);
    }
  }

  /**
   * Whether {@code session} may see the onboarding: before anyone signed in, any session that
   * registered it; after, only the session that completed the sign-in (a copy of the cookie from
   * before, e.g. one planted in the customer's browser, sees nothing of who signed in).
   */
  public static boolean visibleTo(OnboardingView view, Session session, String onboardingId) {
    return view.user() == null || session.signedInTo(onboardingId);
  }
}
