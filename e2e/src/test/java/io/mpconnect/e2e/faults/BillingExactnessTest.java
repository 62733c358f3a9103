package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.standins.metering.MeteredRecord;
import io.mpconnect.standins.metering.MeteringCall;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.workflows.metering.MeteringIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Billing exactness through faults, on the real Temporal server: 300 linked, licensed customers
 * (half on AWS's current model with a LicenseArn, half legacy) report usage for a past hour through
 * {@code POST /api/usage}; the hour is metered by {@code POST /admin/metering/runs} while
 *
 * <ol>
 *   <li>the worker is killed with {@code kill -9} while a BatchMeterUsage call is in flight (a
 *       slow AWS stand-in), then started again;
 *   <li>AWS throttles 30% of the calls;
 *   <li>AWS answers every call with a 5xx for a minute, starting half-way through the hour's
 *       calls.
 * </ol>
 *
 * Each fault meters its own hour. Afterwards the usage PostgreSQL holds for the hour, summed per
 * (account, license, dimension, hour), must equal, to the unit, what the AWS stand-in's ledger
 * billed for that hour (zero records included); every metering record of the hour ends SUCCESS
 * with the MeteringRecordId AWS gave; and no (account, license, dimension, hour) was ever given a
 * second quantity (no DuplicateRecord answer, one MeteringRecordId per key across every call).
 * Resends of records whose answer was lost are identical and de-duplicated, and counted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BillingExactnessTest {
  private static final int CUSTOMERS = 300;
  private static final List<String> DIMENSIONS = List.of("api_calls", "active_users");
  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static final String HEADER = String.format(
      "| %-40s | %7s | %5s | %9s | %3s | %6s | %14s | %12s | %12s | %7s |%n|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|",
      "fault", "records", "calls", "throttled", "5xx", "resent", "units reported",
      "units billed", "billed twice", "time",
      "-".repeat(42), "-".repeat(9), "-".repeat(7), "-".repeat(11), "-".repeat(5), "-".repeat(8),
      "-".repeat(16), "-".repeat(14), "-".repeat(14), "-".repeat(9));
  private static final List<String> ROWS = new ArrayList<>();

  private static Stack stack;
  private static final List<Account> accounts = new ArrayList<>();
  /** The last hour the schedule meters by itself, and the hours of the faults before it. */
  private static Instant lastCompleteHour;

  /** A customer: legacy ones have no LicenseArn. */
  private record Account(String awsAccountId, UUID organizationId, String licenseArn) {}

  /** What AWS de-duplicates on. */
  private record Key(String account, String licenseArn, String dimension, Instant hour) {}

  /** What one fault left behind, measured the same way for every fault. */
  private record Outcome(
      String fault,
      int records,
      int calls,
      int throttled,
      int serverErrors,
      int resent,
      long unitsReported,
      long unitsBilled,
      int billedTwice,
      Duration time) {
    String row() {
      return String.format(
          "| %-40s | %7d | %5d | %9d | %3d | %6d | %14d | %12d | %12d | %5.1f s |",
          fault, records, calls, throttled, serverErrors, resent, unitsReported, unitsBilled,
          billedTwice, time.toMillis() / 1000.0);
    }
  }

  @BeforeAll
  static void start() {
    String dimensions = String.join(",", DIMENSIONS);
    stack = Stack.start("billing-exactness", new Stack.Options()
        .workerEnv("METERING_DIMENSIONS", dimensions)
        .workerEnv("METERING_MAX_CALLS_PER_SECOND", "10")
        .apiEnv("METERING_DIMENSIONS", dimensions));
    // The hour the schedule meters at the worker's start (and again at its restart); the faults
    // meter the three hours before it, which no firing touches before the test queues their usage.
    lastCompleteHour = Instant.now().minus(Duration.ofMinutes(5))
        .truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    createCustomers();
  }

  @AfterAll
  static void stop() {
    if (!ROWS.isEmpty()) {
      System.out.println("\nBILLING EXACTNESS SUMMARY\n" + HEADER + "\n" + String.join("\n", ROWS));
    }
    if (stack != null) {
      stack.metering().setLatency(Duration.ZERO);
      stack.close();
    }
  }

  @Test
  @Order(1)
  void aWorkerKilledWhileSendingAnHour_billsEveryUnitOnce() {
    Instant hour = lastCompleteHour.minus(Duration.ofHours(1));
    MeteringStandIn aws = stack.metering();
    long reported = reportUsage(hour, 1);
    aws.setLatency(Duration.ofSeconds(2));
    Instant triggered = Instant.now();
    triggerRun(hour);

    // A few calls answered while others are in flight (each waits 2 s at the stand-in; every
    // call is its own sendBatch activity in the hour's page workflow).
    Waits.until("3 BatchMeterUsage calls of the hour answered", Duration.ofSeconds(60),
        () -> callsOf(hour).size() >= 3);
    Waits.sleep(Duration.ofMillis(800));
    assertThat(stack.activityRunning(MeteringIds.sendPageWorkflowId(hour, 1, 1), "MeteringSendBatch"))
        .as("the hour's calls run").isTrue();
    int answeredBeforeKill = callsOf(hour).size();
    Instant killed = Instant.now();
    stack.killWorker();
    aws.setLatency(Duration.ZERO);
    // The call in flight is still answered by AWS (its answer is lost with the worker).
    Waits.sleep(Duration.ofMillis(2500));
    long answeredAfterKill = callsOf(hour).stream().filter(c -> c.at().isAfter(killed)).count();
    stack.startWorker();
    System.out.printf("worker killed after %d answered calls, %d call(s) in flight answered"
        + " after the kill, restarted %d ms later%n", answeredBeforeKill, answeredAfterKill,
        Duration.between(killed, Instant.now()).toMillis());
    assertThat(answeredAfterKill).as("a BatchMeterUsage call was in flight at the kill")
        .isPositive();

    awaitHourBilled(hour, Duration.ofMinutes(3));
    Outcome outcome = check("worker kill -9 mid-send, restart", hour, reported, triggered);
    assertThat(outcome.resent()).as("records of the lost answer resent identical").isPositive();
  }

  @Test
  @Order(2)
  void awsThrottling30PercentOfCalls_billsEveryUnitOnce() {
    Instant hour = lastCompleteHour.minus(Duration.ofHours(2));
    MeteringStandIn aws = stack.metering();
    long reported = reportUsage(hour, 2);
    aws.setRandomSeed(hour.getEpochSecond());
    aws.setFailureRate("BatchMeterUsage", "ThrottlingException", 0.30);
    try {
      Instant triggered = Instant.now();
      triggerRun(hour);
      awaitHourBilled(hour, Duration.ofMinutes(2));
      Outcome outcome = check("AWS throttles 30% of calls", hour, reported, triggered);
      assertThat(outcome.throttled()).as("throttled calls").isPositive();
    } finally {
      aws.setFailureRate("BatchMeterUsage", "ThrottlingException", 0);
    }
  }

  @Test
  @Order(3)
  void awsAnswering5xxForAMinute_billsEveryUnitOnce() {
    Instant hour = lastCompleteHour.minus(Duration.ofHours(3));
    MeteringStandIn aws = stack.metering();
    long reported = reportUsage(hour, 3);
    // Slow enough that the outage starts half-way through the hour's calls.
    aws.setLatency(Duration.ofMillis(300));
    Instant triggered = Instant.now();
    try {
      triggerRun(hour);
      Waits.until("5 BatchMeterUsage calls of the hour answered", Duration.ofSeconds(60),
          () -> callsOf(hour).size() >= 5);
      aws.setFailureRate("BatchMeterUsage", "InternalServiceErrorException", 1.0);
      Instant outageStarted = Instant.now();
      Waits.sleep(OUTAGE);
      aws.setFailureRate("BatchMeterUsage", "InternalServiceErrorException", 0);
      System.out.printf("AWS answered 5xx for %d ms%n",
          Duration.between(outageStarted, Instant.now()).toMillis());
      aws.setLatency(Duration.ZERO);
      assertThat(pendingOf(hour)).as("records still pending after the outage").isPositive();

      awaitHourBilled(hour, Duration.ofMinutes(3));
      Outcome outcome =
          check("AWS answers 5xx for " + OUTAGE.toSeconds() + " s", hour, reported, triggered);
      assertThat(outcome.serverErrors()).as("calls answered 5xx").isPositive();
    } finally {
      aws.setFailureRate("BatchMeterUsage", "InternalServiceErrorException", 0);
      aws.setLatency(Duration.ZERO);
    }
  }

  // ---- customers and usage

  private static void createCustomers() {
    OffsetDateTime since =
        OffsetDateTime.ofInstant(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
    for (int i = 0; i < CUSTOMERS; i++) {
      String account = String.format("%012d", 730_000_000_000L + i);
      String licenseArn = i % 2 == 0 ? MeteringStandIn.licenseArn("billing-" + account) : null;
      accounts.add(new Account(account, UUID.randomUUID(), licenseArn));
    }
    stack.jdbi().useTransaction(h -> {
      var orgs = h.prepareBatch("INSERT INTO organizations (id, name, plan, billing_provider)"
          + " VALUES (?, ?, 'STANDARD', 'AWS_MARKETPLACE')");
      var customers = h.prepareBatch("INSERT INTO marketplace_customers (product_code,"
          + " aws_account_id, customer_identifier) VALUES (?, ?, ?)");
      var links = h.prepareBatch("INSERT INTO marketplace_links (product_code, aws_account_id,"
          + " organization_id, subscription_status, status_changed_at)"
          + " VALUES (?, ?, ?, 'ACTIVE', ?)");
      var licenses = h.prepareBatch("INSERT INTO marketplace_licenses (product_code,"
          + " aws_account_id, license_key, license_arn, status, usable_from, organization_id,"
          + " sequence) VALUES (?, ?, ?, ?, 'USABLE', ?, ?, 1)");
      for (Account a : accounts) {
        boolean current = a.licenseArn() != null;
        orgs.add(a.organizationId(), "Billing Org " + a.awsAccountId());
        customers.add(Stack.PRODUCT_CODE, a.awsAccountId(),
            current ? null : MeteringStandIn.demoCustomerIdentifier(a.awsAccountId()));
        links.add(Stack.PRODUCT_CODE, a.awsAccountId(), a.organizationId(), since);
        licenses.add(Stack.PRODUCT_CODE, a.awsAccountId(),
            current ? "agr-" + a.awsAccountId() : "legacy", a.licenseArn(), since,
            a.organizationId());
      }
      orgs.execute();
      customers.execute();
      links.execute();
      licenses.execute();
    });
    // AWS accepts each LicenseArn for its own account only.
    for (Account a : accounts) {
      if (a.licenseArn() != null) {
        stack.metering().registerLicense(a.awsAccountId(), a.licenseArn());
      }
    }
  }

  /**
   * Reports usage in the hour through the api: most customers report on some dimensions, a few
   * reports each; the first batch is sent twice (a replay is stored once). Returns the units
   * reported.
   */
  private static long reportUsage(Instant hour, int fault) {
    Random random = new Random(hour.getEpochSecond() * 31 + fault);
    List<ObjectNode> reports = new ArrayList<>();
    long units = 0;
    for (Account a : accounts) {
      if (random.nextInt(10) < 2) {
        continue; // idle this hour: zero records only
      }
      for (String dimension : DIMENSIONS) {
        if (random.nextInt(4) == 0) {
          continue;
        }
        int count = 1 + random.nextInt(4);
        for (int n = 0; n < count; n++) {
          int quantity = dimension.equals("api_calls") ? random.nextInt(5000) : random.nextInt(20);
          units += quantity;
          ObjectNode report = JSON.createObjectNode();
          report.put("organizationId", a.organizationId().toString());
          report.put("dimension", dimension);
          report.put("quantity", quantity);
          report.put("timestamp", hour.plusSeconds(random.nextInt(3600)).toString());
          report.put("idempotencyKey", "f" + fault + "-" + a.awsAccountId() + "-" + dimension + "-" + n);
          reports.add(report);
        }
      }
    }
    for (int from = 0; from < reports.size(); from += 500) {
      List<ObjectNode> batch = reports.subList(from, Math.min(reports.size(), from + 500));
      HttpResponse<String> answer = postUsage(batch);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
    }
    HttpResponse<String> replay = postUsage(reports.subList(0, Math.min(reports.size(), 500)));
    assertThat(replay.statusCode()).as("a replayed batch: " + replay.body()).isEqualTo(200);

    long stored = stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT coalesce(sum(quantity), 0) FROM usage_records WHERE usage_hour = :hour")
        .bind("hour", OffsetDateTime.ofInstant(hour, ZoneOffset.UTC))
        .mapTo(Long.class).one());
    assertThat(stored).as("units stored for the hour").isEqualTo(units);
    return units;
  }

  private static HttpResponse<String> postUsage(List<ObjectNode> batch) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode records = body.putArray("records");
    batch.forEach(records::add);
    return send(HttpRequest.newBuilder(URI.create(stack.apiBase() + "/api/usage"))
        .header("Authorization", "Bearer " + Stack.USAGE_TOKEN)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build());
  }

  private static void triggerRun(Instant hour) {
    HttpResponse<String> answer = send(
        HttpRequest.newBuilder(URI.create(stack.apiBase() + "/admin/metering/runs"))
            .header("Authorization", "Bearer " + Stack.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"hour\": \"" + hour + "\"}"))
            .build());
    // 200: a firing of the schedule started the same workflow first.
    assertThat(answer.statusCode()).as(answer.body()).isIn(200, 202);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- waiting and checking

  private static void awaitHourBilled(Instant hour, Duration timeout) {
    Waits.until("the hour " + hour + " metered", timeout,
        () -> "COMPLETED".equals(runStatus(hour)) && pendingOf(hour) == 0,
        () -> "run " + runStatus(hour) + ", pending " + pendingOf(hour)
            + ", records by status " + recordsByStatus(hour));
  }

  private static String runStatus(Instant hour) {
    return stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT status FROM metering_runs WHERE hour = :hour")
        .bind("hour", OffsetDateTime.ofInstant(hour, ZoneOffset.UTC))
        .mapTo(String.class).findOne().orElse(null));
  }

  private static int pendingOf(Instant hour) {
    return recordsByStatus(hour).getOrDefault("PENDING", 0);
  }

  private static Map<String, Integer> recordsByStatus(Instant hour) {
    return stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT status, count(*) AS n FROM metering_records WHERE usage_hour = :hour"
                + " GROUP BY status")
        .bind("hour", OffsetDateTime.ofInstant(hour, ZoneOffset.UTC))
        .map((rs, ctx) -> Map.entry(rs.getString("status"), rs.getInt("n")))
        .list().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Integer::sum,
            TreeMap::new)));
  }

  /** The BatchMeterUsage calls of the hour, answered or refused. */
  private static List<MeteringCall> callsOf(Instant hour) {
    return stack.metering().calls("BatchMeterUsage").stream()
        .filter(c -> c.request().path("UsageRecords").size() > 0
            && hour.equals(hourOf(c.request().path("UsageRecords").get(0).get("Timestamp"))))
        .toList();
  }

  private static Outcome check(String fault, Instant hour, long reportedUnits, Instant triggered) {
    Duration time = Duration.between(triggered, Instant.now());
    OffsetDateTime at = OffsetDateTime.ofInstant(hour, ZoneOffset.UTC);
    Map<String, Account> byAccount = new HashMap<>();
    accounts.forEach(a -> byAccount.put(a.awsAccountId(), a));

    // Usage in: what PostgreSQL holds for the hour, on the customer's one license; every
    // configured dimension of every customer has a record, zero when nothing was reported.
    Map<Key, Long> reported = new HashMap<>();
    for (Account a : accounts) {
      for (String dimension : DIMENSIONS) {
        reported.put(new Key(a.awsAccountId(), a.licenseArn(), dimension, hour), 0L);
      }
    }
    stack.jdbi().useHandle(h -> h.createQuery(
            "SELECT aws_account_id, dimension, sum(quantity) AS q FROM usage_records"
                + " WHERE usage_hour = :hour GROUP BY aws_account_id, dimension")
        .bind("hour", at)
        .map((rs, ctx) -> Map.entry(
            new Key(rs.getString("aws_account_id"),
                byAccount.get(rs.getString("aws_account_id")).licenseArn(),
                rs.getString("dimension"), hour),
            rs.getLong("q")))
        .forEach(e -> reported.merge(e.getKey(), e.getValue(), Long::sum)));

    // Usage billed: the stand-in's ledger for the hour.
    Map<Key, MeteredRecord> ledger = new HashMap<>();
    int ledgerDuplicates = 0;
    for (MeteredRecord r : stack.metering().meteredRecords()) {
      if (!r.timestamp().truncatedTo(ChronoUnit.HOURS).equals(hour)) {
        continue;
      }
      Key key = new Key(r.customerAwsAccountId(), r.licenseArn(), r.dimension(), hour);
      if (ledger.put(key, r) != null) {
        ledgerDuplicates++;
      }
    }
    Map<Key, Long> billed = new HashMap<>();
    ledger.forEach((k, r) -> billed.put(k, (long) r.quantity()));

    // Every answer AWS gave for the hour: a second quantity for a key is billed twice.
    List<MeteringCall> calls = callsOf(hour);
    Map<Key, Set<String>> idsByKey = new HashMap<>();
    int successes = 0;
    int duplicateAnswers = 0;
    int legacyNamedByIdentifier = 0;
    for (MeteringCall call : calls) {
      for (JsonNode usage : call.request().path("UsageRecords")) {
        if (usage.hasNonNull("CustomerIdentifier")) {
          legacyNamedByIdentifier++;
        }
      }
      if (!call.succeeded()) {
        continue;
      }
      for (JsonNode result : call.response().path("Results")) {
        String status = result.path("Status").asText();
        JsonNode usage = result.path("UsageRecord");
        Key key = new Key(usage.path("CustomerAWSAccountId").asText(null),
            usage.hasNonNull("LicenseArn") ? usage.get("LicenseArn").asText() : null,
            usage.path("Dimension").asText(), hourOf(usage.get("Timestamp")));
        if (status.equals("Success")) {
          successes++;
          idsByKey.computeIfAbsent(key, k -> new HashSet<>())
              .add(result.path("MeteringRecordId").asText());
        } else if (status.equals("DuplicateRecord")) {
          duplicateAnswers++;
        }
      }
    }
    int billedTwice = ledgerDuplicates + duplicateAnswers
        + (int) idsByKey.values().stream().filter(ids -> ids.size() > 1).count();
    int resent = successes - idsByKey.size();
    int throttled = (int) calls.stream()
        .filter(c -> "ThrottlingException".equals(c.errorType())).count();
    int serverErrors = (int) calls.stream().filter(c -> c.status() >= 500).count();

    // The product's side: every record of the hour SUCCESS, with AWS's id for it.
    record Row(Key key, long quantity, String status, String meteringRecordId) {}
    List<Row> records = stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT aws_account_id, license_arn, dimension, quantity, status,"
                + " aws_metering_record_id FROM metering_records WHERE usage_hour = :hour")
        .bind("hour", at)
        .map((rs, ctx) -> new Row(
            new Key(rs.getString("aws_account_id"), rs.getString("license_arn"),
                rs.getString("dimension"), hour),
            rs.getLong("quantity"), rs.getString("status"),
            rs.getString("aws_metering_record_id")))
        .list());
    int unmetered = stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT count(*) FROM unmetered_usage WHERE usage_hour = :hour")
        .bind("hour", at).mapTo(Integer.class).one());

    long unitsReported = reported.values().stream().mapToLong(Long::longValue).sum();
    long unitsBilled = billed.values().stream().mapToLong(Long::longValue).sum();
    Outcome outcome = new Outcome(fault, records.size(), calls.size(), throttled, serverErrors,
        resent, unitsReported, unitsBilled, billedTwice, time);
    print(outcome);

    assertThat(unitsReported).as("units reported for the hour").isEqualTo(reportedUnits);
    assertThat(unmetered).as("usage of the hour still queued").isZero();
    assertThat(records).as("metering records of the hour")
        .hasSize(CUSTOMERS * DIMENSIONS.size())
        .allSatisfy(r -> assertThat(r.status()).as("status of " + r.key()).isEqualTo("SUCCESS"));
    assertThat(billed).as("billed per (account, license, dimension, hour) against reported")
        .containsExactlyInAnyOrderEntriesOf(reported);
    assertThat(unitsBilled).as("units billed").isEqualTo(unitsReported);
    assertThat(billedTwice).as("keys billed twice").isZero();
    assertThat(legacyNamedByIdentifier).as("records naming a CustomerIdentifier").isZero();
    for (Row r : records) {
      MeteredRecord standing = ledger.get(r.key());
      assertThat(standing).as("AWS's record for " + r.key()).isNotNull();
      assertThat(r.quantity()).as("quantity of " + r.key()).isEqualTo(standing.quantity());
      assertThat(r.meteringRecordId()).as("MeteringRecordId of " + r.key())
          .isEqualTo(standing.meteringRecordId());
    }
    assertThat(idsByKey.keySet()).as("keys AWS answered Success for")
        .isEqualTo(ledger.keySet());
    assertThat(records.stream().filter(r -> r.key().licenseArn() != null).count())
        .as("records on the current model").isEqualTo((long) CUSTOMERS / 2 * DIMENSIONS.size());
    return outcome;
  }

  private static Instant hourOf(JsonNode timestamp) {
    if (timestamp == null || timestamp.isNull()) {
      return null;
    }
    Instant instant = timestamp.isNumber()
        ? Instant.ofEpochMilli(timestamp.decimalValue().movePointRight(3).longValue())
        : Instant.parse(timestamp.asText());
    return instant.truncatedTo(ChronoUnit.HOURS);
  }

  private static synchronized void print(Outcome outcome) {
    ROWS.add(outcome.row());
    System.out.print("\nBILLING EXACTNESS (" + outcome.fault() + ")\n" + HEADER + "\n"
        + outcome.row() + "\n");
    System.out.flush();
    Path file = Path.of(System.getProperty("e2e.target", "target")).toAbsolutePath()
        .resolve("billing-exactness-summary.md");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, HEADER + "\n" + String.join("\n", ROWS) + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
