package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.testing.ReplayHistories;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Metering's workflows on the time-skipping test server, with scripted activities. */
class MeteringWorkflowTest {
  private final FakeMetering fake = new FakeMetering();

  @RegisterExtension
  final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              MeteringWorkflowImpl.class,
              MeteringScheduleWorkflowImpl.class,
              MeteringBatchesWorkflowImpl.class,
              FinalFlushWorkflowImpl.class)
          .setActivityImplementations(fake)
          .setDoNotStart(false)
          .build();

  private static Instant lastHour(TestWorkflowEnvironment env) {
    return Instant.ofEpochMilli(env.currentTimeMillis())
        .truncatedTo(ChronoUnit.HOURS)
        .minus(Duration.ofHours(1));
  }

  private static MeteringWorkflow hourStub(WorkflowClient client, Worker worker, Instant hour) {
    return client.newWorkflowStub(
        MeteringWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(MeteringIds.hourWorkflowId(hour))
            .setTaskQueue(worker.getTaskQueue())
            .build());
  }

  @Test
  void givenRecordsLeftUnsent_itPausesAndResendsUntilAllAreAnswered(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    Instant hour = lastHour(env);
    fake.pendingAfterAggregation = 60;
    fake.thenSend(50, 10).thenSend(10, 0);

    MeteringRunResult result = hourStub(client, worker, hour).meter(new MeteringRunRequest(hour));

    ReplayHistories.recordIfAsked(
        client, MeteringIds.hourWorkflowId(hour), "metering-batches-hour-resent");
    assertThat(result.outcome()).isEqualTo(RunOutcome.COMPLETED);
    assertThat(fake.calls).containsExactly(
        "prepareHour " + hour,
        "planBatches hour " + hour, "sendBatch " + hour, "countPending hour " + hour,
        "planBatches hour " + hour, "sendBatch " + hour, "countPending hour " + hour,
        "finishHour " + hour + " COMPLETED");
    assertThat(fake.finishes.get(0).calls()).isEqualTo(2);
    // Each pass's calls ran in a child workflow of the hour, one per page.
    assertThat(client.fetchHistory(MeteringIds.sendPageWorkflowId(hour, 2, 1)).getEvents())
        .isNotEmpty();
  }

  @Test
  void givenNothingToSend_itFinishesWithoutCallingAws(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    Instant hour = lastHour(env);
    fake.pendingAfterAggregation = 0;

    hourStub(client, worker, hour).meter(new MeteringRunRequest(hour));

    assertThat(fake.count("sendBatch")).isZero();
    assertThat(fake.count("sendHour")).isZero();
  }

  @Test
  void givenAwsRefusesTheCallsThemselves_theHourEndsFailedForTheNextRunToRetry(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    Instant hour = lastHour(env);
    fake.pendingAfterAggregation = 5;
    fake.thenFail(FailureTypes.AWS_BAD_REQUEST, true);

    MeteringRunResult result = hourStub(client, worker, hour).meter(new MeteringRunRequest(hour));

    ReplayHistories.recordIfAsked(
        client, MeteringIds.hourWorkflowId(hour), "metering-batches-hour-refused");
    assertThat(result.outcome()).isEqualTo(RunOutcome.FAILED);
    assertThat(result.error()).contains(FailureTypes.AWS_BAD_REQUEST);
    assertThat(fake.count("sendBatch")).isEqualTo(1);
  }

  @Test
  void givenRecordsNeverAnswered_itGivesUpWhenTheHourLeavesTheWindow(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    Instant hour = lastHour(env);
    fake.pendingAfterAggregation = 5;
    for (int i = 0; i < 100; i++) {
      fake.thenSend(0, 5);
    }

    MeteringRunResult result = hourStub(client, worker, hour).meter(new MeteringRunRequest(hour));

    ReplayHistories.recordIfAsked(
        client, MeteringIds.hourWorkflowId(hour), "metering-batches-hour-expired");
    assertThat(result.outcome()).isEqualTo(RunOutcome.EXPIRED);
    // Pauses of 1, 2, 4, 8 then 10 minutes fit about 35 attempts into the window.
    assertThat(fake.count("sendBatch")).isBetween(20L, 50L);
    var events = client.fetchHistory(MeteringIds.hourWorkflowId(hour)).getEvents();
    var closed = events.get(events.size() - 1).getEventTime();
    assertThat(Instant.ofEpochSecond(closed.getSeconds())).isBefore(hour.plus(FakeMetering.WINDOW));
  }

  @Test
  void aRunOfAnHourIsOneWorkflowWhoeverStartsIt(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    Instant hour = lastHour(env);
    assertThat(MeteringIds.hourWorkflowId(Instant.parse("2026-11-26T04:00:00Z")))
        .isEqualTo("metering-2026-11-26T04:00Z");
    assertThatThrownBy(() -> MeteringIds.hourWorkflowId(hour.plusSeconds(60)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theScheduledRunMetersEachDueHourOldestFirstAsItsOwnWorkflow(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    Instant hour = lastHour(env);
    fake.due = List.of(hour.minus(Duration.ofHours(2)), hour);
    fake.pendingAfterAggregation = 3;
    fake.thenSend(3, 0).thenSend(3, 0);

    MeteringScheduleWorkflow firing =
        client.newWorkflowStub(
            MeteringScheduleWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("metering-hourly-test")
                .setTaskQueue(worker.getTaskQueue())
                .build());
    ScheduledRunResult result = firing.run();

    ReplayHistories.recordIfAsked(client, "metering-hourly-test", "metering-batches-schedule-firing");
    assertThat(result.runs()).extracting(MeteringRunResult::hour)
        .containsExactly(hour.minus(Duration.ofHours(2)), hour);
    assertThat(fake.calls).containsSubsequence(
        "prepareHour " + hour.minus(Duration.ofHours(2)), "prepareHour " + hour);
    assertThat(client.fetchHistory(MeteringIds.hourWorkflowId(hour)).getEvents()).isNotEmpty();
  }

  @Test
  void theScheduledRunLeavesAnHourAlreadyRunningToItsRun(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    Instant hour = lastHour(env);
    fake.pendingAfterAggregation = 1;
    // The manual run waits for AWS (an unscripted send fails retryably, then pauses).
    WorkflowClient.start(hourStub(client, worker, hour)::meter, new MeteringRunRequest(hour));
    fake.due = List.of(hour);

    ScheduledRunResult result =
        client
            .newWorkflowStub(
                MeteringScheduleWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build())
            .run();

    assertThat(result.alreadyRunning()).containsExactly(hour);
    assertThat(result.runs()).isEmpty();
  }

  @Test
  void theFinalFlushSendsTheCustomersRecordsUntilNoneIsLeft(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    fake.pendingAfterAggregation = 2;
    fake.thenSend(1, 1).thenSend(1, 0);
    FinalFlushRequest request = new FinalFlushRequest("prod-x", "cust-1", "cust-1",
        "111122223333", null, Instant.ofEpochMilli(env.currentTimeMillis()), 7);

    FlushResult result =
        client
            .newWorkflowStub(
                FinalFlushWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(MeteringIds.flushWorkflowId("prod-x", "cust-1", 7))
                    .setWorkflowIdReusePolicy(
                        WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                    .setTaskQueue(worker.getTaskQueue())
                    .build())
            .flush(request);

    ReplayHistories.recordIfAsked(client, MeteringIds.flushWorkflowId("prod-x", "cust-1", 7),
        "metering-batches-final-flush");
    assertThat(result.pending()).isZero();
    assertThat(result.sending().succeeded()).isEqualTo(2);
    assertThat(fake.count("sendBatch 111122223333")).isEqualTo(2);
  }

  @Test
  void theFinalFlushOfACustomerUnknownHereSendsNothing(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    fake.flushAccount = null;
    FinalFlushRequest request = new FinalFlushRequest("prod-x", "cust-2", "cust-2", null, null,
        Instant.ofEpochMilli(env.currentTimeMillis()), 1);

    FlushResult result =
        client
            .newWorkflowStub(
                FinalFlushWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build())
            .flush(request);

    assertThat(result.awsAccountId()).isNull();
    assertThat(fake.count("sendBatch")).isZero();
    assertThat(fake.count("sendCustomer")).isZero();
  }
}
