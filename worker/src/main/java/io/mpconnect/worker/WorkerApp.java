package io.mpconnect.worker;

import io.mpconnect.activities.accounts.AccountActivitiesImpl;
import io.mpconnect.activities.aws.MarketplaceActivitiesImpl;
import io.mpconnect.activities.aws.MeteringClients;
import io.mpconnect.activities.notifications.MailSenders;
import io.mpconnect.activities.notifications.NotificationActivitiesImpl;
import io.mpconnect.activities.notifications.OutboxDispatcher;
import io.mpconnect.activities.subscriptions.SubscriptionActivitiesImpl;
import io.mpconnect.activities.subscriptions.SubscriptionLinkActivitiesImpl;
import io.mpconnect.config.Env;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.persistence.Database;
import io.mpconnect.worker.metering.MeteringWorker;
import io.mpconnect.worker.events.LifecycleEventIntake;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.mpconnect.workflows.subscription.SubscriptionWorkflowImpl;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  private WorkerApp(WorkerSettings settings, Env env) throws IOException {
    this.settings = settings;
    database = Database.connect(settings.database());
    service = TemporalConnections.connect(settings.temporal(), metrics.temporalScope());
    if (settings.registerSearchAttributes()) {
      SearchAttributeSetup.ensureRegistered(service, settings.temporal().namespace());
    }
    WorkflowClient client = TemporalConnections.client(service, settings.temporal());
    factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(settings.temporal().taskQueue());
    worker.registerWorkflowImplementationTypes(
        OnboardingWorkflowImpl.class, SubscriptionWorkflowImpl.class);
    meteringClient = MeteringClients.create(env);
    worker.registerActivitiesImplementations(
        new MarketplaceActivitiesImpl(meteringClient, settings.productCode(), metrics.awsCalls()),
        new AccountActivitiesImpl(database.jdbi()),
        new NotificationActivitiesImpl(database.jdbi()),
        new SubscriptionActivitiesImpl(database.jdbi()),
        new SubscriptionLinkActivitiesImpl(client, settings.temporal().taskQueue()));
    metering = MeteringWorker.register(worker, client, database.jdbi(), meteringClient,
        settings.productCode(), env, metrics.registry());
    outbox = new OutboxDispatcher(database.jdbi(), MailSenders.from(env));
    lifecycleEvents = LifecycleEventIntake.create(
        env, client, settings.temporal().taskQueue(), database.jdbi(), metrics.registry());
    status = new StatusServer(settings.statusPort(), metrics::scrape, this::ready);
  }

  /** Starts polling; returns once the worker runs. */
  public static WorkerApp start(Env env) {
    WorkerSettings settings = WorkerSettings.from(env);
    try {
      WorkerApp app = new WorkerApp(settings, env);
      app.factory.start();
      app.outbox.start();
      app.lifecycleEvents.start();
      app.metering.start();
      log.info("worker polling task queue {} on {}; status on :{}",
          settings.temporal().taskQueue(), settings.temporal(), app.status.port());
      return app;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the worker", e);
    }
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

  /** Graceful: stop polling, let activities in flight finish (up to 30 s), then release. */
  @Override
  public void close() {
    log.info("worker shutting down");
    lifecycleEvents.close();
    factory.shutdown();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    outbox.close();
    metering.close();
    status.close();
    service.shutdown();
    meteringClient.close();
    database.close();
    metrics.close();
  }

  public static void main(String[] args) {
    WorkerApp app = start(Env.system());
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "worker-shutdown"));
  }
}
