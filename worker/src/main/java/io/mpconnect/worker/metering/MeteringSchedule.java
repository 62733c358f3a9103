package io.mpconnect.worker.metering;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mpconnect.config.MeteringSettings;
import io.mpconnect.workflows.metering.MeteringIds;
import io.mpconnect.workflows.metering.MeteringScheduleWorkflow;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MeteringIds#SCHEDULE_ID} Temporal Schedule: every hour, {@code METERING_HOUR_GRACE}
 * after the hour, it starts a {@link MeteringScheduleWorkflow}, which meters every due hour.
 */
public final class MeteringSchedule {
  private static final Logger log = LoggerFactory.getLogger(MeteringSchedule.class);

  /** What {@link #ensure} did. */
  public enum Result {
    CREATED,
    UPDATED,
    /** The Temporal server has no Schedules (the in-process test server). */
    UNSUPPORTED
  }

  private MeteringSchedule() {}

  /** The schedule as this version of the worker wants it. */
  public static Schedule desired(String taskQueue, MeteringSettings settings) {
    return Schedule.newBuilder()
        .setAction(
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(MeteringScheduleWorkflow.class)
                .setOptions(
                    WorkflowOptions.newBuilder()
                        .setWorkflowId(MeteringIds.SCHEDULE_ID)
                        .setTaskQueue(taskQueue)
                        .build())
                .build())
        .setSpec(
            ScheduleSpec.newBuilder()
                .setIntervals(
                    List.of(new ScheduleIntervalSpec(Duration.ofHours(1), settings.hourGrace())))
                .build())
        .setPolicy(
            SchedulePolicy.newBuilder()
                // A firing waits for the one before (at most one waits): hours are sent one
                // after the other, never two at once against the AWS quota.
                .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE)
                // Firings missed while the Temporal server was down still happen when it is
                // back, as long as the hour can still be sent. Each firing catches up anyway.
                .setCatchupWindow(settings.window().minus(Duration.ofHours(1)))
                .build())
        .setState(
            ScheduleState.newBuilder()
                .setNote("Hourly usage metering to AWS Marketplace (mpconnect worker)")
                .build())
        .build();
  }

  /**
   * Creates the schedule, or brings an existing one up to date keeping its paused state (an
   * operator may have paused it), then fires it once so hours missed while no worker ran are
   * metered now rather than at the next hour. Safe to call from every worker at every start.
   */
  public static Result ensure(ScheduleClient schedules, String taskQueue, MeteringSettings settings) {
    Schedule schedule = desired(taskQueue, settings);
    Result result;
    ScheduleHandle handle;
    try {
      handle =
          schedules.createSchedule(
              MeteringIds.SCHEDULE_ID, schedule, ScheduleOptions.newBuilder().build());
      result = Result.CREATED;
    } catch (ScheduleAlreadyRunningException exists) {
      handle = schedules.getHandle(MeteringIds.SCHEDULE_ID);
      handle.update(
          input ->
              new io.temporal.client.schedules.ScheduleUpdate(
                  Schedule.newBuilder(schedule)
                      .setState(input.getDescription().getSchedule().getState())
                      .build()));
      result = Result.UPDATED;
    } catch (RuntimeException e) {
      if (isUnimplemented(e)) {
        return Result.UNSUPPORTED;
      }
      throw e;
    }
    if (handle.describe().getSchedule().getState().isPaused()) {
      log.warn("schedule {} is paused: hourly metering waits until it is unpaused",
          MeteringIds.SCHEDULE_ID);
    } else {
      handle.trigger(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
    }
    log.info("schedule {} {}: every hour at +{}, catch-up window {}", MeteringIds.SCHEDULE_ID,
        result == Result.CREATED ? "created" : "up to date", settings.hourGrace(),
        settings.window().minus(Duration.ofHours(1)));
    return result;
  }

  static boolean isUnimplemented(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException status
          && status.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return true;
      }
    }
    return false;
  }
}
