package io.mpconnect.e2e.faults;

import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.FaultReport;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 customers go through the whole journey at once, over HTTP like browsers (registration POST,
 * OIDC sign-in against the provider, organization choice through the JSON API), while the
 * Temporal server is stopped and started again at a random moment of the run and AWS throttles a
 * share of the calls. Every one of them ends connected, once.
 */
class ConcurrentOnboardingsTest {
  static final int CUSTOMERS = 200;
  static final int BROWSERS = 24;
  private static Stack stack;

  @BeforeAll
  static void start() {
    stack = Stack.start("concurrent-200");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void given200ConcurrentOnboardings_whenTemporalRestartsMidRun_allConnectOnce() {
    long seed = Long.getLong("e2e.seed", System.currentTimeMillis());
    Random random = new Random(seed);
    stack.metering().setRandomSeed(seed);
    stack.metering().setFailureRate("ResolveCustomer", "ThrottlingException", 0.05);
    int restartAfter = 40 + random.nextInt(60); // connected onboardings before the fault
    System.out.printf("seed %d: Temporal restarts after %d of %d onboardings connected%n",
        seed, restartAfter, CUSTOMERS);

    Map<Customer, OnboardingOutcome> expected = new LinkedHashMap<>();
    AtomicInteger connected = new AtomicInteger();
    Instant began = Instant.now();
    Instant restarted;
    try (Journeys journeys = new Journeys(BROWSERS)) {
      for (int i = 0; i < CUSTOMERS; i++) {
        Customer customer = Customer.of(stack, Customer.newAccountId(), "load-" + i);
        expected.put(customer, OnboardingOutcome.CONNECTED);
        int n = i;
        journeys.run(() -> {
          // AWS's subscribe-success comes before the registration for half of them, after the
          // choice for the others.
          if (n % 2 == 0) {
            customer.connectNewOrganization("Load Org " + n);
          } else {
            customer.register().signIn().createOrganization("Load Org " + n)
                .awsConfirmsSubscription();
          }
          connected.incrementAndGet();
        });
      }
      Waits.until(restartAfter + " choices made", Duration.ofMinutes(3),
          () -> connected.get() >= restartAfter);
      stack.temporal().stop();
      Instant stopped = Instant.now();
      Waits.sleep(Duration.ofSeconds(5));
      stack.temporal().start();
      restarted = Instant.now();
      System.out.printf("Temporal down for %d ms with %d of %d journeys done%n",
          Duration.between(stopped, restarted).toMillis(), connected.get(), CUSTOMERS);
      journeys.awaitAll(Duration.ofMinutes(5));
    }
    System.out.printf("%d journeys done in %d s%n", CUSTOMERS,
        Duration.between(began, Instant.now()).toSeconds());

    FaultReport.Result result = FaultReport.check(stack,
        CUSTOMERS + " concurrent, Temporal restart, 5% throttled", expected, restarted,
        Duration.ofMinutes(3));
    Faults.assertClean(result, CUSTOMERS);
    stack.metering().setFailureRate("ResolveCustomer", "ThrottlingException", 0);
  }
}
