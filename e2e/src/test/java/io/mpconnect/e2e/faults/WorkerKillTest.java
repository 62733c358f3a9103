package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.FaultReport;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Seeds;
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
 * kill -9 of the worker while onboardings stand in every step at once: resolving the customer
 * with AWS (a slow answer in flight), waiting for the sign-in, signing in (its database
 * transaction held mid-way), waiting for the organization choice, in the middle of the connect
 * transaction (an existing organization and a new one, both after their first writes), and
 * confirming (the outbox insert held mid-way). The transactions are held by table locks taken
 * from the test's own connection, so the kill lands inside them every time, with no hook in the
 * product. After the restart every onboarding must finish as if nothing happened.
 */
class WorkerKillTest {
  private static Stack stack;

  @BeforeAll
  static void start() {
    stack = Stack.start("worker-kill");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void givenOnboardingsInEveryStep_whenTheWorkerIsKilled_theyAllFinishOnceAfterTheRestart()
      throws Exception {
    Customer awaitingSignIn = Customer.of(stack, Customer.newAccountId(), "kill-awaiting-signin");
    Customer signingIn = Customer.of(stack, Customer.newAccountId(), "kill-signing-in");
    Customer awaitingChoice = Customer.of(stack, Customer.newAccountId(), "kill-awaiting-choice");
    Customer connectingExisting = Customer.of(stack, Customer.newAccountId(), "kill-connect-existing");
    Customer connectingNew = Customer.of(stack, Customer.newAccountId(), "kill-connect-new");
    Customer confirming = Customer.of(stack, Customer.newAccountId(), "kill-confirming");
    Customer resolving = Customer.of(stack, Customer.newAccountId(), "kill-resolving");
    String existingOrganization = Seeds.ownerWithOrganization(stack.jdbi(), stack.issuer(),
        connectingExisting.subject(), connectingExisting.email(), "Kill Existing Org", "STARTER");

    for (Customer c : new Customer[] {awaitingSignIn, signingIn, awaitingChoice,
        connectingExisting, connectingNew, confirming, resolving}) {
      c.awsConfirmsSubscription();
    }
    for (Customer c : new Customer[] {awaitingSignIn, signingIn, awaitingChoice,
        connectingExisting, connectingNew, confirming}) {
      c.register().awaitStep(OnboardingStep.AWAITING_AUTHENTICATION, Duration.ofSeconds(30));
    }
    for (Customer c : new Customer[] {awaitingChoice, connectingExisting, connectingNew, confirming}) {
      c.signIn().awaitStep(OnboardingStep.AWAITING_ORGANIZATION, Duration.ofSeconds(30));
    }

    try (Journeys background = new Journeys();
        TableLock outbox = TableLock.writes(stack.jdbi(), "notification_outbox");
        TableLock users = TableLock.writes(stack.jdbi(), "users")) {
      // Confirming: the connect commits (links are not locked yet), the outbox insert waits.
      background.run(() -> confirming.createOrganization("Kill Confirming Org"));
      outbox.awaitWaiters(1, "INSERT INTO notification_outbox", Duration.ofSeconds(30));
      TableLock heldLinks = TableLock.writes(stack.jdbi(), "marketplace_links");
      background.closing(heldLinks);
      // Connecting: both transactions wrote (customer row; new organization and membership)
      // and wait to insert the link.
      background.run(() -> connectingExisting.chooseOrganization(existingOrganization));
      background.run(() -> connectingNew.createOrganization("Kill New Org"));
      heldLinks.awaitWaiters(2, "INSERT INTO marketplace_links", Duration.ofSeconds(30));
      // Signing in: the new user's insert waits.
      background.run(signingIn::signIn);
      users.awaitWaiters(1, "INSERT INTO users", Duration.ofSeconds(30));
      // Resolving: AWS answers slowly; the call is in flight when the worker dies.
      stack.metering().setLatency(Duration.ofSeconds(40));
      resolving.register();
      Waits.until("ResolveCustomer in flight", Duration.ofSeconds(30),
          () -> stack.activityRunning(resolving.workflowId(), "ResolveCustomer"));

      stack.killWorker();
      Instant killed = Instant.now();

      stack.metering().setLatency(Duration.ZERO);
      // PostgreSQL ends the dead worker's statements once it notices the client is gone
      // (client_connection_check_interval, set in docker-compose.yml); the test does it at once,
      // so none of them completes after the kill (an outbox claim by the dead dispatcher would
      // hold its mail for the 2-minute lease).
      assertThat(TableLock.terminateWaitingBackends(stack.jdbi())).isGreaterThanOrEqualTo(4);
      heldLinks.release();
      outbox.release();
      users.release();
      // The killed worker's transactions can only roll back: nothing they wrote is visible.
      Waits.until("the killed transactions to end", Duration.ofSeconds(20),
          () -> heldLinks.waiters() == 0 && outbox.waiters() == 0 && users.waiters() == 0);
      assertThat(organizationsCreatedBy(connectingNew)).isZero();
      assertThat(linksOf(connectingExisting)).isZero();
      Waits.sleep(Duration.ofSeconds(2));

      stack.startWorker();
      Instant restarted = Instant.now();
      System.out.printf("worker killed and restarted after %d ms%n",
          Duration.between(killed, restarted).toMillis());

      // The people carry on; the workflows redo what the kill interrupted.
      background.run(() -> resolving.signIn().createOrganization("Kill Resolving Org"));
      background.run(() -> awaitingSignIn.signIn().createOrganization("Kill Signin Org"));
      background.run(() -> signingIn.signIn().createOrganization("Kill Signing-in Org"));
      background.run(() -> awaitingChoice.createOrganization("Kill Choice Org"));
      background.awaitAll(Duration.ofMinutes(3));

      // A second registration by an AWS customer that is now linked must not link again.
      Customer again = new Customer(stack, connectingExisting.awsAccountId(),
          io.mpconnect.standins.metering.MeteringStandIn.newDemoToken(
              connectingExisting.awsAccountId()), "kill-again");
      again.register();

      Map<Customer, OnboardingOutcome> expected = new LinkedHashMap<>();
      for (Customer c : new Customer[] {resolving, awaitingSignIn, signingIn, awaitingChoice,
          connectingExisting, connectingNew, confirming}) {
        expected.put(c, OnboardingOutcome.CONNECTED);
      }
      expected.put(again, OnboardingOutcome.ALREADY_LINKED);
      FaultReport.Result result = FaultReport.check(stack,
          "worker kill -9 in every step, mid-connect tx", expected, restarted,
          Duration.ofMinutes(3));

      Faults.assertClean(result, expected.size());
      assertThat(connectingExisting.view().organization().id()).isEqualTo(existingOrganization);
      assertThat(organizationsCreatedBy(connectingNew)).isEqualTo(1);
    }
  }

  private static int organizationsCreatedBy(Customer customer) {
    return stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT count(*) FROM organizations WHERE created_by_onboarding = :id")
        .bind("id", customer.onboardingId()).mapTo(Integer.class).one());
  }

  private static int linksOf(Customer customer) {
    return stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT count(*) FROM marketplace_links WHERE aws_account_id = :a")
        .bind("a", customer.awsAccountId()).mapTo(Integer.class).one());
  }
}
