package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.FaultReport;
import io.mpconnect.e2e.harness.JavaProcess;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.TableLock;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.e2e.harness.RunsAlone;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM (Process.destroy(), as docker stop and Kubernetes send it) stops each process within
 * 10 s, even with work in flight that does not finish by itself: the worker with a connect held
 * inside its transaction (it waits for it, then cuts it short and Temporal hands it to the next
 * worker), the api, and the developer mode (bin/dev's process). A journey in flight at the
 * SIGTERM still completes once the processes are back.
 */
@RunsAlone
class SigtermTest {
  static final Duration LIMIT = Duration.ofSeconds(10);
  private static Stack stack;

  @BeforeAll
  static void start() {
    stack = Stack.start("sigterm", new Stack.Options().headless());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void givenAConnectThatDoesNotFinish_theWorkerAndTheApiExitWithin10sOfSigterm_andTheJourneyCompletesAfterRestart()
      throws Exception {
    Customer customer = Customer.of(stack, Customer.newAccountId(), "sigterm")
        .awsConfirmsSubscription().register().signIn();
    customer.awaitStep(OnboardingStep.AWAITING_ORGANIZATION, Duration.ofSeconds(30));

    try (Journeys background = new Journeys();
        TableLock links = TableLock.writes(stack.jdbi(), "marketplace_links")) {
      background.run(() -> customer.createOrganization("Sigterm Org"));
      // The connect is inside its transaction, blocked on the lock: it cannot finish.
      links.awaitWaiters(1, "INSERT INTO marketplace_links", Duration.ofSeconds(30));

      Duration worker = timeToExit(stack.worker());
      Duration api = timeToExit(stack.api());
      System.out.printf("SIGTERM with a connect held in flight: worker exited in %d ms, api in"
          + " %d ms%n", worker.toMillis(), api.toMillis());
      assertThat(worker).as("the worker's exit after SIGTERM").isLessThan(LIMIT);
      assertThat(api).as("the api's exit after SIGTERM").isLessThan(LIMIT);
      assertThat(stack.worker().logText()).contains("worker shutting down");

      links.release();
      stack.startWorker();
      Instant restarted = Instant.now();
      stack.api().forgetExited();
      stack.api().start();
      stack.awaitApiReady(Duration.ofSeconds(60));
      background.awaitAll(Duration.ofMinutes(2));
      FaultReport.Result result = FaultReport.check(stack,
          "SIGTERM to worker and api mid-connect (< 10 s)",
          Map.of(customer, OnboardingOutcome.CONNECTED), restarted, Duration.ofMinutes(2));
      Faults.assertClean(result, 1);
    }
  }

  @Test
  void theDeveloperModeExitsWithin10sOfSigterm() throws Exception {
    java.nio.file.Path home = Files.createTempDirectory("mpconnect-sigterm-dev-");
    JavaProcess dev = JavaProcess.of("devmode", "devmode", "io.mpconnect.devmode.DevMode",
        Map.of("DEVMODE_HOME", home.toString(),
            "API_PORT", Integer.toString(io.mpconnect.e2e.harness.Ports.free()),
            "DEVMODE_TEMPORAL_PORT", Integer.toString(io.mpconnect.e2e.harness.Ports.free()),
            "DEVMODE_TEMPORAL_UI_PORT", Integer.toString(io.mpconnect.e2e.harness.Ports.free()),
            "DEVMODE_POSTGRES_PORT", "0", "DEVMODE_METERING_PORT", "0", "DEVMODE_OIDC_PORT", "0",
            "DEVMODE_SQS_PORT", "0", "WORKER_STATUS_PORT", "0"),
        stack.home().resolve("logs"));
    dev.start();
    try {
      Waits.until("the developer mode's banner", Duration.ofMinutes(3), () -> {
        if (!dev.isAlive()) {
          throw new AssertionError("the developer mode exited:\n" + dev.tail(40));
        }
        return dev.logText().contains("mpconnect is running");
      });
      Duration exit = timeToExit(dev);
      System.out.printf("SIGTERM to the developer mode: exited in %d ms%n", exit.toMillis());
      assertThat(exit).as("the developer mode's exit after SIGTERM").isLessThan(LIMIT);
    } finally {
      if (dev.isAlive()) {
        dev.kill();
      }
    }
  }

  /** SIGTERM, then how long until the process is gone (at most 30 s, then kill -9). */
  private static Duration timeToExit(JavaProcess process) throws InterruptedException {
    long began = System.nanoTime();
    Process running = process.signalTerminate();
    boolean exited = running.waitFor(30, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    if (!exited) {
      running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    process.forgetExited();
    return took;
  }
}
