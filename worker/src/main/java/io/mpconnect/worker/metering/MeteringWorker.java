package io.mpconnect.worker.metering;

import io.micrometer.core.instrument.MeterRegistry;
import io.mpconnect.activities.metering.BatchMeterUsageSender;
import io.mpconnect.activities.metering.CallPacer;
import io.mpconnect.activities.metering.MeteringFlushActivitiesImpl;
import io.mpconnect.activities.metering.MeteringLedgerActivitiesImpl;
import io.mpconnect.activities.metering.MeteringSenderActivitiesImpl;
import io.mpconnect.config.Env;
import io.mpconnect.config.MeteringSettings;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.workflows.metering.FinalFlushWorkflowImpl;
import io.mpconnect.workflows.metering.MeteringScheduleWorkflowImpl;
import io.mpconnect.workflows.metering.MeteringBatchesWorkflowImpl;
import io.mpconnect.workflows.metering.MeteringWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.worker.Worker;
import java.time.Clock;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;

/**
 * Metering in the worker process: its workflows and activities on the task queue (BatchMeterUsage
 * on its own rate-limited queue), its metrics, and (on {@link #start}) the hourly schedule. Reads
 * METERING_DIMENSIONS, METERING_WINDOW, METERING_MAX_CALLS_PER_SECOND and METERING_HOUR_GRACE (see {@link MeteringSettings}).
 */
public final class MeteringWorker implements AutoCloseable {
  /** How long one sending activity works before handing back to its workflow. */
  public static final Duration SEND_BUDGET = Duration.ofMinutes(10);
  /** The first pause after a throttled call or a pass with records left over; doubles. */
  public static final Duration FIRST_BACKOFF = Duration.ofMillis(250);

  private static final Logger log = LoggerFactory.getLogger(MeteringWorker.class);

  private final WorkflowClient client;
  private final String taskQueue;
  private final MeteringSettings settings;
  private LocalHourlyTrigger localTrigger;

  private MeteringWorker(WorkflowClient client, String taskQueue, MeteringSettings settings) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.settings = settings;
  }

  /**
   * Registers metering's workflows and activities on {@code worker} (the main task queue), and the
   * BatchMeterUsage sender on {@code sending}: the dedicated, rate-limited queue {@code
   * <main>-aws-metering} where {@link io.mpconnect.workflows.shared.AwsTaskQueueRouting} schedules
   * every send. The sender is also registered on the main queue, for sends scheduled there by
   * workers of the version before the dedicated queue; both share one process-wide pacer.
   */
  public static MeteringWorker register(
      Worker worker,
      Worker sending,
      WorkflowClient client,
      Jdbi jdbi,
      MarketplaceMeteringClient meteringClient,
      String productCode,
      Env env,
      MeterRegistry registry) {
    MeteringSettings settings = MeteringSettings.from(env);
    if (settings.dimensions().isEmpty()) {
      log.warn("METERING_DIMENSIONS is not set: usage intake refuses all usage and no zero"
          + " records are sent");
    }
    MeteringRecordRepository records = new MeteringRecordRepository(jdbi);
    MeteringMeters meters = new MeteringMeters(registry, records, Clock.systemUTC());
    worker.registerWorkflowImplementationTypes(
        MeteringWorkflowImpl.class, MeteringScheduleWorkflowImpl.class,
        MeteringBatchesWorkflowImpl.class, FinalFlushWorkflowImpl.class);
    MeteringSenderActivitiesImpl sender = new MeteringSenderActivitiesImpl(
        new BatchMeterUsageSender(meteringClient, records,
            new CallPacer(settings.maxCallsPerSecond()), meters, SEND_BUDGET, FIRST_BACKOFF));
    sending.registerActivitiesImplementations(sender);
    worker.registerActivitiesImplementations(
        new MeteringLedgerActivitiesImpl(jdbi, productCode, settings, meters, Clock.systemUTC()),
        sender,
        new MeteringFlushActivitiesImpl(client, worker.getTaskQueue()));
    log.info("metering registered: {}", settings);
    return new MeteringWorker(client, worker.getTaskQueue(), settings);
  }

  /**
   * Creates or updates the hourly schedule and fires it once (catch-up). Where the Temporal
   * server has no Schedules, says so and triggers the hourly run from this process instead.
   */
  public void start() {
    ScheduleClient schedules =
        ScheduleClient.newInstance(
            client.getWorkflowServiceStubs(),
            ScheduleClientOptions.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .build());
    if (MeteringSchedule.ensure(schedules, taskQueue, settings)
        == MeteringSchedule.Result.UNSUPPORTED) {
      log.warn("this Temporal server has no Schedules (the in-process test server): the"
          + " {} schedule does not exist. Hourly metering is triggered from this worker process"
          + " instead, without the schedule's durability; POST /admin/metering/runs meters an"
          + " hour by hand.", io.mpconnect.workflows.metering.MeteringIds.SCHEDULE_ID);
      localTrigger = new LocalHourlyTrigger(client, taskQueue, settings, Clock.systemUTC());
    }
  }

  public MeteringSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    if (localTrigger != null) {
      localTrigger.close();
    }
  }
}
