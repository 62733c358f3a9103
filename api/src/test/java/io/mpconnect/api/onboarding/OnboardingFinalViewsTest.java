package io.mpconnect.api.onboarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.mpconnect.api.TestTemporal;
import io.mpconnect.api.marketplace.StoredSubscriptionStatus;
import io.mpconnect.api.session.Session;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowClientInterceptorBase;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Onboardings#view} asks an ended onboarding's workflow once, then answers from {@link
 * FinalViews}: the onboarding is played by {@link FakeOnboarding} on Temporal's in-process test
 * server, and a client interceptor counts the {@code view} queries each workflow gets.
 */
class OnboardingFinalViewsTest {
  private static final String TASK_QUEUE = "final-views-test";
  private static final String PRODUCT = "prod-final";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static TestWorkflowEnvironment temporal;
  private static final Queries queries = new Queries();
  /** What the subscription workflows stored, by "account/organization" (the read model's rows). */
  private static final Map<String, StoredSubscriptionStatus.Stored> stored =
      new ConcurrentHashMap<>();
  private static WorkflowClient client;
  private Onboardings onboardings;

  /**
   * Plays an onboarding for what the api asks of it: the view query, the sign-in and the connect
   * Updates.
   */
  @WorkflowInterface
  public interface FakeOnboarding {
    /** Runs until its view has an outcome, as the real one ends in {@code finish}. */
    @WorkflowMethod
    void run(OnboardingView first, OnboardingView afterChoice);

    @SignalMethod
    void show(OnboardingView next);

    @QueryMethod(name = "view")
    OnboardingView view();

    @UpdateMethod(name = "chooseOrganization")
    OnboardingView chooseOrganization(ConnectChoice choice);

    /** Signs in: the view now names the identity's subject in its message. */
    @UpdateMethod(name = "authenticate")
    OnboardingView authenticate(VerifiedIdentity identity);

    class Impl implements FakeOnboarding {
      private OnboardingView view;
      private OnboardingView afterChoice;

      @Override
      public void run(OnboardingView first, OnboardingView afterChoice) {
        this.view = first;
        this.afterChoice = afterChoice;
        Workflow.await(() -> view.outcome() != null);
      }

      @Override
      public void show(OnboardingView next) {
        view = next;
      }

      @Override
      public OnboardingView view() {
        return view;
      }

      @Override
      public OnboardingView chooseOrganization(ConnectChoice choice) {
        view = afterChoice;
        return view;
      }

      @Override
      public OnboardingView authenticate(VerifiedIdentity identity) {
        view = new OnboardingView(view.id(), OnboardingStep.AWAITING_ORGANIZATION, null,
            view.customer(), view.user(), view.organizations(), view.organization(),
            view.subscription(), "signed in as " + identity.subject());
        return view;
      }
    }
  }

  /** Counts the view queries by workflow id; {@link #down} makes every query fail as unavailable. */
  static final class Queries extends WorkflowClientInterceptorBase {
    final Map<String, AtomicInteger> byWorkflowId = new ConcurrentHashMap<>();
    volatile boolean down;

    int of(String onboardingId) {
      AtomicInteger count = byWorkflowId.get(OnboardingIds.workflowId(onboardingId));
      return count == null ? 0 : count.get();
    }

    @Override
    public WorkflowClientCallsInterceptor workflowClientCallsInterceptor(
        WorkflowClientCallsInterceptor next) {
      return new WorkflowClientCallsInterceptorBase(next) {
        @Override
        public <R> QueryOutput<R> query(QueryInput<R> input) {
          if (down) {
            throw new WorkflowServiceException(input.getWorkflowExecution(), null,
                Status.UNAVAILABLE.asRuntimeException());
          }
          if ("view".equals(input.getQueryType())) {
            byWorkflowId.computeIfAbsent(input.getWorkflowExecution().getWorkflowId(),
                id -> new AtomicInteger()).incrementAndGet();
          }
          return super.query(input);
        }
      };
    }
  }

  @BeforeAll
  static void start() {
    temporal = TestTemporal.withSearchAttributes();
    Worker worker = temporal.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(FakeOnboarding.Impl.class);
    temporal.start();
    client = WorkflowClient.newInstance(temporal.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder(temporal.getWorkflowClient().getOptions())
            .setInterceptors(queries)
            .build());
  }

  @AfterAll
  static void stop() {
    if (temporal != null) {
      temporal.close();
    }
  }

  @BeforeEach
  void newApi() {
    queries.down = false;
    onboardings = new Onboardings(client, TASK_QUEUE, Duration.ofHours(1), Duration.ofDays(1),
        List.of(), PRODUCT, new StoredSubscriptionStatus((product, account, organization) ->
            Optional.ofNullable(stored.get(account + "/" + organization))));
  }

  @Test
  void onceAnEndedViewWasSeen_laterReadsAskTheWorkflowNoMore() {
    String id = newId();
    OnboardingView ended = view(id, OnboardingStep.DONE, OnboardingOutcome.ABANDONED, "ended");
    start(id, view(id, OnboardingStep.AWAITING_ORGANIZATION, null, "choose"), ended);
    assertThat(onboardings.view(id).orElseThrow().outcome()).isNull();

    end(id, ended);
    assertThat(onboardings.view(id)).contains(ended);
    int asked = queries.of(id);
    for (int i = 0; i < 3; i++) {
      assertThat(onboardings.view(id)).contains(ended);
    }

    assertThat(asked).isEqualTo(2);
    assertThat(queries.of(id)).as("no query after the ended view").isEqualTo(asked);
  }

  @Test
  void aViewWithoutAnOutcome_isAskedForAtEveryRead_andShowsTheChange() {
    String id = newId();
    start(id, view(id, OnboardingStep.AWAITING_ORGANIZATION, null, "choose"), null);
    assertThat(onboardings.view(id).orElseThrow().message()).isEqualTo("choose");

    stub(id).show(view(id, OnboardingStep.CONNECTING, null, "connecting"));
    int reads = 1 + readUntil(id, v -> "connecting".equals(v.message()));

    assertThat(queries.of(id)).as("one query per read").isEqualTo(reads);
  }

  @Test
  void theConnectsEndedResult_isRemembered_soTheNextReadAsksNothing() {
    String id = newId();
    OnboardingView ended = view(id, OnboardingStep.DONE, OnboardingOutcome.FAILED, "failed");
    start(id, view(id, OnboardingStep.AWAITING_ORGANIZATION, null, "choose"), ended);
    Session session = new Session("s", List.of(id),
        new Session.SignedIn("mock", "https://issuer.example", "subject"), List.of(id), 0);

    Onboardings.UpdateOutcome outcome =
        onboardings.chooseOrganization(id, ConnectChoice.create("Acme"), session, WAIT);

    assertThat(outcome.kind()).isEqualTo(Onboardings.UpdateOutcome.Kind.COMPLETED);
    assertThat(outcome.view()).isEqualTo(ended);
    assertThat(onboardings.view(id)).contains(ended);
    assertThat(queries.of(id)).isZero();
  }

  @Test
  void anAnsweredEndedView_stillGetsItsSubscriptionsStoredStatusAtEveryRead() {
    String id = newId();
    String account = account(id);
    start(id, connected(id, null), null);
    subscription(account, "org-" + id, SubscriptionStatus.PENDING, "STARTER");
    assertThat(onboardings.view(id).orElseThrow().subscription().status())
        .isEqualTo(SubscriptionStatus.PENDING);
    assertThat(queries.of(id)).isEqualTo(1);

    License license = new License("agmt-1", "arn:license/l-1", "agmt-1", LicenseStatus.USABLE,
        null, null, null, false, "offer-1", "NEW", null, null);
    // AWS confirmed: the subscription workflow stored ACTIVE, the paid plan and the license.
    subscription(account, "org-" + id, SubscriptionStatus.ACTIVE, "STANDARD", license);
    OnboardingView confirmed = onboardings.view(id).orElseThrow();

    assertThat(confirmed.subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(confirmed.organization().plan()).isEqualTo("STANDARD");
    assertThat(confirmed.subscription().licenses()).containsExactly(license);
    assertThat(queries.of(id)).as("the onboarding was asked once").isEqualTo(1);
  }

  @Test
  void whileTemporalIsUnavailable_anEndedViewIsStillAnswered_withItsStoredStatus_anyOtherIsNot() {
    String ended = newId();
    String waiting = newId();
    String unlinked = newId();
    OnboardingView endedView = connected(ended, null);
    OnboardingView unlinkedView = connected(unlinked, new OnboardingView.Subscription(
        SubscriptionStatus.PENDING));
    start(ended, endedView, null);
    start(unlinked, unlinkedView, null);
    start(waiting, view(waiting, OnboardingStep.AWAITING_ORGANIZATION, null, "choose"), null);
    subscription(account(ended), "org-" + ended, SubscriptionStatus.PENDING, "STARTER");
    assertThat(onboardings.view(ended).orElseThrow().subscription().status())
        .isEqualTo(SubscriptionStatus.PENDING);
    assertThat(onboardings.view(unlinked)).contains(unlinkedView);
    assertThat(onboardings.view(waiting)).isPresent();

    queries.down = true;
    subscription(account(ended), "org-" + ended, SubscriptionStatus.ACTIVE, "STANDARD");

    assertThat(onboardings.view(ended).orElseThrow().subscription().status())
        .as("the stored status needs no Temporal").isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(onboardings.view(unlinked)).as("nothing stored: its own status stands")
        .contains(unlinkedView);
    assertThatThrownBy(() -> onboardings.view(waiting)).isInstanceOf(WorkflowException.class);
    assertThatThrownBy(() -> onboardings.view(newId())).isInstanceOf(WorkflowException.class);
  }

  @Test
  void theSignInsAnswer_isTheNextRead_withoutAQuery_andOnlyThatOne() {
    String id = newId();
    start(id, view(id, OnboardingStep.AWAITING_AUTHENTICATION, null, "sign in"), null);

    Onboardings.UpdateOutcome signedIn = onboardings.authenticate(id,
        new VerifiedIdentity("mock", "https://issuer.example", "subject-1", "olivia@example.com",
            "Olivia"), WAIT);

    assertThat(signedIn.kind()).isEqualTo(Onboardings.UpdateOutcome.Kind.COMPLETED);
    assertThat(onboardings.view(id)).contains(signedIn.view());
    assertThat(queries.of(id)).as("the page after the sign-in").isZero();
    stub(id).show(view(id, OnboardingStep.AWAITING_ORGANIZATION, null, "reminded"));
    int reads = readUntil(id, v -> "reminded".equals(v.message()));
    assertThat(queries.of(id)).as("every later read asks").isEqualTo(reads);
  }

  @Test
  void anUnknownOnboardingIsEmpty_everyTime() {
    String unknown = newId();

    assertThat(onboardings.view(unknown)).isEmpty();
    assertThat(onboardings.view(unknown)).isEmpty();
    assertThat(queries.of(unknown)).isEqualTo(2);
  }

  // ---- helpers

  private static String newId() {
    return OnboardingIds.fromToken(UUID.randomUUID().toString());
  }

  private static OnboardingView view(String id, OnboardingStep step, OnboardingOutcome outcome,
      String message) {
    return new OnboardingView(id, step, outcome, null,
        new OnboardingView.User("Olivia", "olivia@example.com", "mock"), List.of(), null, null,
        message);
  }

  /** Ended at the link to organization {@code org-<id>}, as the real one does. */
  private static OnboardingView connected(String id, OnboardingView.Subscription subscription) {
    return new OnboardingView(id, OnboardingStep.DONE, OnboardingOutcome.CONNECTED,
        new OnboardingView.Customer(account(id), null, PRODUCT), null, List.of(),
        new OrganizationRef("org-" + id, "Acme", "STARTER"), subscription, "linked");
  }

  private static String account(String id) {
    return "2100" + id.substring(0, 8);
  }

  private static void start(String id, OnboardingView first, OnboardingView afterChoice) {
    FakeOnboarding workflow = client.newWorkflowStub(FakeOnboarding.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(OnboardingIds.workflowId(id))
            .setTaskQueue(TASK_QUEUE)
            .build());
    WorkflowClient.start(workflow::run, first, afterChoice);
    // Asked before its first task, a workflow fails the query; the client that counts waits.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        temporal.getWorkflowClient().newUntypedWorkflowStub(OnboardingIds.workflowId(id))
            .query("view", OnboardingView.class);
        return;
      } catch (WorkflowException notYet) {
        assertThat(System.nanoTime()).as(id + " answers in time").isLessThan(deadline);
        pause();
      }
    }
  }

  private static FakeOnboarding stub(String id) {
    return client.newWorkflowStub(FakeOnboarding.class, OnboardingIds.workflowId(id));
  }

  /** Shows the ended view and waits until the run closed, as the real one does at its end. */
  private static void end(String id, OnboardingView ended) {
    stub(id).show(ended);
    client.newUntypedWorkflowStub(OnboardingIds.workflowId(id)).getResult(Void.class);
  }

  /** What the subscription workflow of {@code account} stored for the organization. */
  private static void subscription(String account, String organization,
      SubscriptionStatus status, String plan, License... licenses) {
    stored.put(account + "/" + organization,
        new StoredSubscriptionStatus.Stored(status, plan, List.of(licenses)));
  }

  /** Reads until the view satisfies {@code done}; returns how many reads it took. */
  private int readUntil(String id, Predicate<OnboardingView> done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int reads = 1; ; reads++) {
      Optional<OnboardingView> view = onboardings.view(id);
      if (view.isPresent() && done.test(view.get())) {
        return reads;
      }
      assertThat(System.nanoTime()).as("view of " + id + " in time").isLessThan(deadline);
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
