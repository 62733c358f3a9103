package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.FaultReport;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.TableLock;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Temporal server is stopped and started again on the same SQLite file while onboardings wait
 * for people (sign-in, organization choice) and while activities run (a slow AWS call, a sign-in
 * and a connect transaction held in PostgreSQL). The activities finish while the server is away;
 * the worker and the api reconnect by themselves.
 */
class TemporalRestartTest {
  private static Stack stack;

  @BeforeAll
  static void start() {
    stack = Stack.start("temporal-restart");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void givenWaitingAndRunningOnboardings_whenTemporalRestarts_theyAllFinish() {
    Customer waitingSignIn = Customer.of(stack, Customer.newAccountId(), "tr-waiting-signin");
    Customer waitingChoice = Customer.of(stack, Customer.newAccountId(), "tr-waiting-choice");
    Customer signingIn = Customer.of(stack, Customer.newAccountId(), "tr-signing-in");
    Customer connecting = Customer.of(stack, Customer.newAccountId(), "tr-connecting");
    Customer resolving = Customer.of(stack, Customer.newAccountId(), "tr-resolving");
    for (Customer c : new Customer[] {waitingSignIn, waitingChoice, signingIn, connecting, resolving}) {
      c.awsConfirmsSubscription();
    }
    for (Customer c : new Customer[] {waitingSignIn, waitingChoice, signingIn, connecting}) {
      c.register().awaitStep(OnboardingStep.AWAITING_AUTHENTICATION, Duration.ofSeconds(30));
    }
    for (Customer c : new Customer[] {waitingChoice, connecting}) {
      c.signIn().awaitStep(OnboardingStep.AWAITING_ORGANIZATION, Duration.ofSeconds(30));
    }

    try (Journeys background = new Journeys();
        TableLock links = TableLock.writes(stack.jdbi(), "marketplace_links");
        TableLock users = TableLock.writes(stack.jdbi(), "users")) {
      background.run(() -> connecting.createOrganization("TR Connecting Org"));
      links.awaitWaiters(1, "INSERT INTO marketplace_links", Duration.ofSeconds(30));
      background.run(signingIn::signIn);
      users.awaitWaiters(1, "INSERT INTO users", Duration.ofSeconds(30));
      stack.metering().setLatency(Duration.ofSeconds(6));
      resolving.register();
      Waits.until("ResolveCustomer in flight", Duration.ofSeconds(30),
          () -> stack.activityRunning(resolving.workflowId(), "ResolveCustomer"));

      stack.temporal().stop();
      Instant stopped = Instant.now();
      // While the server is away the activities run to their end and try to report it.
      links.release();
      users.release();
      stack.metering().setLatency(Duration.ZERO);
      Waits.sleep(Duration.ofSeconds(8));
      assertThat(stack.temporal().isRunning()).isFalse();
      stack.temporal().start();
      Instant restarted = Instant.now();
      System.out.printf("Temporal down for %d ms%n", Duration.between(stopped, restarted).toMillis());
      stack.awaitApiReady(Duration.ofSeconds(60));

      background.run(() -> waitingSignIn.signIn().createOrganization("TR Signin Org"));
      background.run(() -> waitingChoice.createOrganization("TR Choice Org"));
      background.run(() -> signingIn.signIn().createOrganization("TR Signing-in Org"));
      background.run(() -> resolving.signIn().createOrganization("TR Resolving Org"));
      background.awaitAll(Duration.ofMinutes(3));

      Map<Customer, OnboardingOutcome> expected = new LinkedHashMap<>();
      for (Customer c : new Customer[] {waitingSignIn, waitingChoice, signingIn, connecting, resolving}) {
        expected.put(c, OnboardingOutcome.CONNECTED);
      }
      FaultReport.Result result = FaultReport.check(stack,
          "Temporal server stop/start (same db file)", expected, restarted, Duration.ofMinutes(3));
      Faults.assertClean(result, expected.size());
    }
  }
}
