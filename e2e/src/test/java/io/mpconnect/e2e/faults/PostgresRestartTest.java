package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.FaultReport;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is stopped for a while (its connections cut) and started again on the same port and
 * data. Customers sign in and choose meanwhile: the activities fail and Temporal retries them
 * with backoff; the worker reports not ready until the database is back.
 */
class PostgresRestartTest {
  private static Stack stack;

  @BeforeAll
  static void start() {
    stack = Stack.start("postgres-restart");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void givenCustomersActingWhileTheDatabaseIsDown_theyAllFinishOnceItIsBack() throws Exception {
    Customer signsInDuringOutage = Customer.of(stack, Customer.newAccountId(), "pg-signin");
    Customer choosesDuringOutage = Customer.of(stack, Customer.newAccountId(), "pg-choice");
    Customer registersDuringOutage = Customer.of(stack, Customer.newAccountId(), "pg-register");
    Customer afterOutage = Customer.of(stack, Customer.newAccountId(), "pg-after");
    for (Customer c : new Customer[] {signsInDuringOutage, choosesDuringOutage, afterOutage}) {
      c.awsConfirmsSubscription().register().awaitStep(OnboardingStep.AWAITING_AUTHENTICATION, Duration.ofSeconds(30));
    }
    choosesDuringOutage.signIn().awaitStep(OnboardingStep.AWAITING_ORGANIZATION, Duration.ofSeconds(30));

    try (Journeys background = new Journeys()) {
      stack.stopPostgres();
      Instant stopped = Instant.now();
      Waits.until("the worker to report not ready", Duration.ofSeconds(20),
          () -> status(stack.workerStatusBase() + "/health/ready") == 503);
      background.run(() -> signsInDuringOutage.signIn().createOrganization("PG Signin Org"));
      background.run(() -> choosesDuringOutage.createOrganization("PG Choice Org"));
      background.run(() -> registersDuringOutage
          .connectNewOrganization("PG Register Org"));
      Waits.sleep(Duration.ofSeconds(10));
      stack.restartPostgres();
      Instant restarted = Instant.now();
      System.out.printf("PostgreSQL down for %d ms%n", Duration.between(stopped, restarted).toMillis());
      stack.awaitWorkerReady(Duration.ofSeconds(60));
      background.run(() -> afterOutage.signIn().createOrganization("PG After Org"));
      background.awaitAll(Duration.ofMinutes(3));

      Map<Customer, OnboardingOutcome> expected = new LinkedHashMap<>();
      for (Customer c : new Customer[] {signsInDuringOutage, choosesDuringOutage,
          registersDuringOutage, afterOutage}) {
        expected.put(c, OnboardingOutcome.CONNECTED);
      }
      FaultReport.Result result = FaultReport.check(stack,
          "PostgreSQL stopped 10 s and restarted", expected, restarted, Duration.ofMinutes(3));
      Faults.assertClean(result, expected.size());
      assertThat(stack.worker().isAlive()).as("the worker rode out the outage").isTrue();
    }
  }

  private static int status(String url) {
    try {
      return HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
