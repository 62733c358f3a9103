package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.FaultReport;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.TableLock;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.e2e.harness.RunsAlone;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A deploy stops the worker with SIGTERM (docker stop, Kubernetes): it stops polling, lets the
 * activity in flight finish and report, then exits. The connect is done once, by the stopping
 * worker, not retried after a timeout by the next one.
 */
@RunsAlone
class GracefulShutdownTest {
  private static Stack stack;

  @BeforeAll
  static void start() {
    stack = Stack.start("graceful-shutdown");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void givenAConnectInFlight_whenTheWorkerGetsSigterm_itFinishesTheActivityThenExits()
      throws Exception {
    Customer customer = Customer.of(stack, Customer.newAccountId(), "graceful")
        .awsConfirmsSubscription().register().signIn();
    customer.awaitStep(OnboardingStep.AWAITING_ORGANIZATION, Duration.ofSeconds(30));
    long stoppingPid = stack.worker().pid();

    try (Journeys background = new Journeys();
        TableLock links = TableLock.writes(stack.jdbi(), "marketplace_links")) {
      background.run(() -> customer.createOrganization("Graceful Org"));
      links.awaitWaiters(1, "INSERT INTO marketplace_links", Duration.ofSeconds(30));

      Process worker = stack.worker().signalTerminate();
      Waits.sleep(Duration.ofSeconds(3));
      assertThat(worker.isAlive()).as("the worker waits for its activity in flight").isTrue();
      links.release();
      assertThat(worker.waitFor(40, TimeUnit.SECONDS)).as("the worker exits").isTrue();
      stack.worker().forgetExited();
      assertThat(stack.worker().logText()).contains("worker shutting down");

      List<HistoryEvent> events =
          stack.client().fetchHistory(customer.workflowId()).getHistory().getEventsList();
      long connectScheduled = events.stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
              && e.getActivityTaskScheduledEventAttributes().getActivityType().getName()
                  .equals("Connect"))
          .findFirst().orElseThrow().getEventId();
      HistoryEvent started = events.stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
              && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == connectScheduled)
          .findFirst().orElseThrow();
      HistoryEvent completed = events.stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
              && e.getActivityTaskCompletedEventAttributes().getScheduledEventId() == connectScheduled)
          .findFirst().orElseThrow();
      assertThat(started.getActivityTaskStartedEventAttributes().getAttempt())
          .as("the connect ran once").isEqualTo(1);
      assertThat(completed.getActivityTaskCompletedEventAttributes().getIdentity())
          .as("reported by the worker that was stopping").startsWith(stoppingPid + "@");

      stack.startWorker();
      Instant restarted = Instant.now();
      background.awaitAll(Duration.ofMinutes(2));
      FaultReport.Result result = FaultReport.check(stack, "worker SIGTERM mid-connect (graceful)",
          Map.of(customer, OnboardingOutcome.CONNECTED), restarted, Duration.ofMinutes(2));
      Faults.assertClean(result, 1);
    }
  }
}
