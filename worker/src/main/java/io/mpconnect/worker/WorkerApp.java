package io.mpconnect.worker;

import io.mpconnect.activities.accounts.AccountActivitiesImpl;
import io.mpconnect.activities.aws.EntitlementClient;
import io.mpconnect.activities.entitlements.EntitlementActivitiesImpl;
import io.mpconnect.activities.aws.MarketplaceActivitiesImpl;
import io.mpconnect.activities.aws.MeteringClients;
import io.mpconnect.activities.notifications.MailSenders;
import io.mpconnect.activities.notifications.NotificationActivitiesImpl;
import io.mpconnect.activities.notifications.OutboxDispatcher;
import io.mpconnect.activities.subscriptions.SubscriptionActivitiesImpl;
import io.mpconnect.activities.subscriptions.SubscriptionLinkActivitiesImpl;
import io.mpconnect.config.AwsCallSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.StartupFailures;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.persistence.BacklogRepository;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.EntitlementRepository;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.worker.subscriptions.SubscriptionMigration;
import io.mpconnect.workflows.subscription.CustomerIdentifierWorkflowImpl;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.mpconnect.workflows.subscription.SubscriptionWorkflow;
import io.mpconnect.worker.metering.MeteringWorker;
import io.mpconnect.worker.events.LifecycleEventIntake;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.mpconnect.workflows.shared.AwsTaskQueueRouting;
import io.mpconnect.workflows.shared.TaskQueues;
import io.mpconnect.workflows.subscription.SubscriptionWorkflowImpl;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;

/**
 * The worker process: migrates the schema, registers the workflows and activities on the task
 * queue, delivers the notification outbox, and serves metrics and health.
 */
public final class WorkerApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerApp.class);

  private final WorkerSettings settings;
  private final Metrics metrics = new Metrics();
  private final Database database;
  private final WorkflowServiceStubs service;
  private final WorkerFactory factory;
  private final MarketplaceMeteringClient meteringClient;
  private final MeteringWorker metering;
  private final OutboxDispatcher outbox;
  private final LifecycleEventIntake lifecycleEvents;
  private final StatusServer status;
  private final SubscriptionMigration migration;
  private final OnboardingMeters onboardingMeters;

  private WorkerApp(WorkerSettings settings, Env env) throws IOException {
    this.settings = settings;
    database = Database.connect(settings.database());
    service = TemporalConnections.connect(settings.temporal(), metrics.temporalScope());
    if (settings.registerSearchAttributes()) {
      SearchAttributeSetup.ensureRegistered(service, settings.temporal().namespace());
    }
    WorkflowClient client = TemporalConnections.client(service, settings.temporal());
    // Activities that call AWS are scheduled on their own queues (AwsTaskQueueRouting), whose
    // server-side rate limits pace them across every worker of the fleet, under AWS's quota.
    factory = WorkerFactory.newInstance(client, settings.tuning().apply(
        WorkerFactoryOptions.newBuilder().setWorkerInterceptors(new AwsTaskQueueRouting()))
        .build());
    Worker worker =
        factory.newWorker(settings.temporal().taskQueue(), settings.tuning().workerOptions());
    log.info("worker on {}: {}", settings.temporal().taskQueue(), settings.tuning());
    Worker awsResolve = factory.newWorker(TaskQueues.awsResolve(settings.temporal().taskQueue()),
        WorkerOptions.newBuilder()
            .setMaxTaskQueueActivitiesPerSecond(settings.awsCalls().resolveCallsPerSecond())
            .build());
    Worker awsMetering = factory.newWorker(TaskQueues.awsMetering(settings.temporal().taskQueue()),
        WorkerOptions.newBuilder()
            .setMaxTaskQueueActivitiesPerSecond(settings.awsCalls().meteringCallsPerSecond())
            .build());
    log.info("AWS calls paced fleet-wide: ResolveCustomer on {} at {}/s, BatchMeterUsage on {} at"
        + " {}/s", awsResolve.getTaskQueue(), settings.awsCalls().resolveCallsPerSecond(),
        awsMetering.getTaskQueue(), settings.awsCalls().meteringCallsPerSecond());
    if (settings.awsCalls().exceedsAwsQuota()) {
      log.warn("AWS_RESOLVE_CALLS_PER_SECOND = {} or AWS_METERING_CALLS_PER_SECOND = {} calls/s:"
          + " above AWS's quota of about {} per API, account and region, expect throttling",
          settings.awsCalls().resolveCallsPerSecond(), settings.awsCalls().meteringCallsPerSecond(),
          (int) AwsCallSettings.AWS_QUOTA_PER_SECOND);
    }
    worker.registerWorkflowImplementationTypes(
        OnboardingWorkflowImpl.class,
        CustomerIdentifierWorkflowImpl.class);
    // MARKETPLACE_PRICING reaches the subscription workflow through its constructor; the workflow
    // records it in its history (a mutable side effect), so replays never depend on it.
    worker.registerWorkflowImplementationFactory(
        SubscriptionWorkflow.class,
        () -> new SubscriptionWorkflowImpl(settings.pricing()));
    meteringClient = MeteringClients.create(env);
    MarketplaceCustomerRepository customers = new MarketplaceCustomerRepository(database.jdbi());
    // One way into subscriptions for the whole worker: legacy identifiers are mapped to accounts.
    SubscriptionSignals signals =
        new SubscriptionSignals(client, settings.temporal().taskQueue(), customers::accountOf);
    MarketplaceActivitiesImpl marketplace =
        new MarketplaceActivitiesImpl(meteringClient, settings.productCode(), metrics.awsCalls());
    awsResolve.registerActivitiesImplementations(marketplace);
    worker.registerActivitiesImplementations(
        // Also on the main queue, unpaced, only for ResolveCustomer tasks scheduled there by
        // workers of the version before the dedicated queues (none are scheduled there since).
        marketplace,
        new AccountActivitiesImpl(database.jdbi(), signals::accountKnown),
        new NotificationActivitiesImpl(database.jdbi()),
        new SubscriptionActivitiesImpl(database.jdbi()),
        new EntitlementActivitiesImpl(
            EntitlementClient.create(env), new EntitlementRepository(database.jdbi())),
        new SubscriptionLinkActivitiesImpl(signals));
    migration = new SubscriptionMigration(database.jdbi(), signals);
    metering = MeteringWorker.register(worker, awsMetering, client, database.jdbi(), meteringClient,
        settings.productCode(), env, metrics.registry());
    outbox =
        new OutboxDispatcher(
            database.jdbi(), MailSenders.from(env), MailSenders.publicBaseUrl(env));
    lifecycleEvents =
        LifecycleEventIntake.create(env, signals, database.jdbi(), metrics.registry());
    new BacklogMeters(metrics.registry(), new BacklogRepository(database.jdbi()),
        Clock.systemUTC());
    onboardingMeters = new OnboardingMeters(metrics.registry(), client, Clock.systemUTC(),
        settings.metricsVisibilityInterval());
    status = new StatusServer(settings.statusHost(), settings.statusPort(), metrics::scrape,
        this::ready);
  }

  /** How long start-up waits for Temporal to answer before the worker gives up. */
  static final java.time.Duration TEMPORAL_START_BUDGET = java.time.Duration.ofSeconds(60);

  /**
   * Starts polling; returns once the worker runs. Fails instead, with a message that says what
   * is wrong, when the worker cannot run: the status port cannot be bound (at once), the database
   * does not answer (after Flyway's connect retries), Temporal does not answer within {@link
   * #TEMPORAL_START_BUDGET}. Whatever this start had begun (polling, outbox, consumers, the status
   * server, connections) is closed before it throws, so nothing is left running.
   */
  public static WorkerApp start(Env env) {
    WorkerSettings settings = WorkerSettings.from(env);
    WorkerApp app;
    try {
      app = new WorkerApp(settings, env);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the worker", e);
    }
    try {
      // The port first: a port that is taken fails the start before anything polls.
      app.status.start();
      TemporalConnections.awaitReachable(
          app.service, settings.temporal().address(), TEMPORAL_START_BUDGET);
      app.factory.start();
      app.outbox.start();
      app.lifecycleEvents.start();
      app.metering.start();
      app.migration.start();
      app.onboardingMeters.start();
    } catch (RuntimeException | Error e) {
      log.info("worker start-up failed; stopping what was started");
      app.close();
      throw e;
    }
    log.info("worker polling task queue {} on {}; status on :{}",
        settings.temporal().taskQueue(), settings.temporal(), app.status.port());
    return app;
  }

  public int statusPort() {
    return status.port();
  }

  private boolean ready() {
    try {
      service.blockingStub()
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return database.isReachable() && !factory.isShutdown();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * How long a stopping worker waits for what it has in hand (activities, the lifecycle messages
   * and e-mails of its current batch) before it cuts them short; the process exits within 10 s
   * of SIGTERM (a deploy's usual grace). What is cut short is handed back, not lost: an activity
   * is retried by another worker after its timeout, a message comes back after the queue's
   * visibility timeout, an e-mail after its lease.
   */
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(6);

  /**
   * Graceful: stop polling everywhere at once, let activities, messages and e-mails in flight
   * finish (together at most {@link #SHUTDOWN_GRACE}), then release. Also after a start that
   * failed half-way: each part is closed even when another one fails to.
   */
  @Override
  public void close() {
    log.info("worker shutting down");
    long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
    closeQuietly("onboarding metrics", onboardingMeters::close);
    // Stop taking new work first, everywhere, so the waits below overlap.
    closeQuietly("worker factory", () -> factory.shutdown());
    closeQuietly("outbox dispatcher", () -> outbox.requestStop());
    closeQuietly("lifecycle event intake", () -> lifecycleEvents.close(remaining(deadline)));
    closeQuietly("worker factory", () -> {
      factory.awaitTermination(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
      if (!factory.isTerminated()) {
        log.warn("activities still running after {}: cut short, Temporal hands them to another"
            + " worker after their timeout", SHUTDOWN_GRACE);
        factory.shutdownNow();
        factory.awaitTermination(1, TimeUnit.SECONDS);
      }
    });
    closeQuietly("outbox dispatcher", () -> outbox.close(remaining(deadline)));
    closeQuietly("metering", metering::close);
    closeQuietly("status server", status::close);
    closeQuietly("Temporal connection", service::shutdown);
    closeQuietly("AWS Metering client", meteringClient::close);
    closeQuietly("database", database::close);
    closeQuietly("metrics", metrics::close);
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  /**
   * Runs the worker until SIGTERM. When it cannot start it prints one line, {@code error: <what>}
   * (e.g. {@code error: cannot listen on 0.0.0.0:9464: address already in use
   * (WORKER_STATUS_PORT)}), and exits with status 1 at once: never a process that lives on
   * without serving.
   */
  public static void main(String[] args) {
    Env env = Env.system();
    WorkerApp app;
    try {
      app = start(env);
    } catch (Throwable e) {
      StartupFailures.exit(log, startFailure(e, env), e, isExplained(e));
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "worker-shutdown"));
  }

  // ---- start-up helpers (used by start and main only)

  private static boolean isExplained(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StatusServer.CannotListenException
          || c instanceof TemporalConnections.TemporalUnreachable
          || c instanceof Env.ConfigException || c instanceof java.sql.SQLException
          || c.getClass().getName().startsWith("org.flywaydb.")) {
        return true;
      }
    }
    return false;
  }

  /** What went wrong, in one line that names the setting to look at. */
  static String startFailure(Throwable e, Env env) {
    java.sql.SQLException sql = null;
    boolean flyway = false;
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StatusServer.CannotListenException
          || c instanceof TemporalConnections.TemporalUnreachable
          || c instanceof Env.ConfigException) {
        return StartupFailures.firstLine(c.getMessage());
      }
      if (c instanceof java.sql.SQLException found) {
        sql = found;
      }
      flyway |= c.getClass().getName().startsWith("org.flywaydb.");
    }
    if (sql != null || flyway) {
      String url;
      try {
        url = WorkerSettings.from(env).database().jdbcUrl().replaceFirst("\\?.*", "");
      } catch (RuntimeException unreadable) {
        url = "(DATABASE_URL unreadable)";
      }
      Throwable cause = sql != null ? sql : e;
      return "cannot connect to the database at " + url + " (DATABASE_URL): "
          + StartupFailures.firstLine(cause.getMessage());
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof io.grpc.StatusRuntimeException grpc) {
        String address;
        try {
          address = WorkerSettings.from(env).temporal().address();
        } catch (RuntimeException unreadable) {
          address = "(TEMPORAL_ADDRESS unreadable)";
        }
        return "cannot reach Temporal at " + address + " (TEMPORAL_ADDRESS): "
            + StartupFailures.firstLine(grpc.getMessage());
      }
    }
    return "the worker could not start: " + StartupFailures.firstLine(e.toString());
  }

  private static void closeQuietly(String what, Runnable close) {
    try {
      close.run();
    } catch (RuntimeException e) {
      log.warn("while closing the {}: {}", what, e.toString());
    }
  }
}
