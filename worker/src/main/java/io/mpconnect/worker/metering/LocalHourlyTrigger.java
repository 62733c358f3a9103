package io.mpconnect.worker.metering;

import io.mpconnect.config.MeteringSettings;
import io.mpconnect.workflows.metering.MeteringScheduleWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for the schedule on a Temporal server without Schedules (the developer mode's
 * in-process test server): starts a {@link MeteringScheduleWorkflow} at start-up and every hour
 * {@code METERING_HOUR_GRACE} after the hour, from this process. Not durable; production always
 * has the real schedule.
 */
final class LocalHourlyTrigger implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalHourlyTrigger.class);

  private final WorkflowClient client;
  private final String taskQueue;
  private final Clock clock;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "metering-local-trigger");
            thread.setDaemon(true);
            return thread;
          });

  LocalHourlyTrigger(WorkflowClient client, String taskQueue, MeteringSettings settings, Clock clock) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.clock = clock;
    Instant now = clock.instant();
    Instant next = now.truncatedTo(ChronoUnit.HOURS).plus(settings.hourGrace());
    if (!next.isAfter(now)) {
      next = next.plus(Duration.ofHours(1));
    }
    timer.execute(this::fire);
    timer.scheduleAtFixedRate(
        this::fire, Duration.between(now, next).toMillis(), Duration.ofHours(1).toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void fire() {
    try {
      MeteringScheduleWorkflow run =
          client.newWorkflowStub(
              MeteringScheduleWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("metering-hourly-local-"
                      + clock.instant().truncatedTo(ChronoUnit.SECONDS))
                  .setTaskQueue(taskQueue)
                  .build());
      WorkflowClient.start(run::run);
    } catch (RuntimeException e) {
      log.warn("could not start the hourly metering run: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
