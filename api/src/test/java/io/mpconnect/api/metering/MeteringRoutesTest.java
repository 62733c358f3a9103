package io.mpconnect.api.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.web.Json;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.LicenseRepository;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.Origin;
import io.mpconnect.persistence.metering.RecordOutcome;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.workflows.metering.MeteringIds;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage intake and the metering support endpoints over HTTP, against embedded PostgreSQL and
 * Temporal's in-process test server (no worker polls its task queue: started runs stay open).
 */
class MeteringRoutesTest {
  private static final String USAGE_TOKEN = "usage-token-for-tests";
  private static final String ADMIN_TOKEN = "admin-token-for-tests";
  private static final String PRODUCT = "prod-api-metering";
  private static final AtomicLong accounts = new AtomicLong(500_000_000_000L);
  private static final HttpClient http = HttpClient.newHttpClient();

  private static EmbeddedDatabase postgres;
  private static Database database;
  private static TestWorkflowEnvironment temporal;
  private static ApiServer api;
  private static String base;
  private static UUID active;
  private static UUID leaving;
  private static UUID pending;
  private static UUID starter;

  @BeforeAll
  static void start() throws IOException {
    postgres = EmbeddedDatabase.start();
    String url = postgres.createDatabase("api_metering");
    database = Database.connect(new DatabaseSettings(url, EmbeddedDatabase.USER,
        EmbeddedDatabase.PASSWORD), 2);
    active = linkedOrganization("ACTIVE");
    leaving = linkedOrganization("UNSUBSCRIBE_PENDING");
    pending = linkedOrganization("PENDING");
    starter = UUID.randomUUID();
    database.jdbi().useHandle(h -> h.execute(
        "INSERT INTO organizations (id, name) VALUES (?, 'Starter Org')", starter));

    temporal = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    temporal.start();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    api = new ApiServer(ApiSettings.from(new Env(Map.ofEntries(
        Map.entry("API_HOST", "127.0.0.1"),
        Map.entry("API_PORT", Integer.toString(port)),
        Map.entry("TEMPORAL_TASK_QUEUE", "metering-routes-test"),
        Map.entry("PAYLOAD_KEYS", PayloadKeys.newKeySetting("test")),
        Map.entry("DATABASE_URL", url),
        Map.entry("DATABASE_USER", EmbeddedDatabase.USER),
        Map.entry("DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD),
        Map.entry("USAGE_TOKEN", USAGE_TOKEN),
        Map.entry("ADMIN_TOKEN", ADMIN_TOKEN),
        Map.entry("METERING_DIMENSIONS", "api_calls,storage_gb"),
        Map.entry("METERING_WINDOW", "6h")))), temporal.getWorkflowClient()).start();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
    if (temporal != null) {
      temporal.close();
    }
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  // ---- usage intake

  @Test
  void aUsageRecordIsStoredOnceAndItsReplayChangesNothingAndSaysSo() throws Exception {
    String record = usage(active, "api_calls", 12, Instant.now().minusSeconds(60), "evt-1");

    HttpResponse<String> first = post("/api/usage", USAGE_TOKEN, record);
    HttpResponse<String> replay = post("/api/usage", USAGE_TOKEN, record);

    assertThat(first.statusCode()).isEqualTo(201);
    JsonNode created = json(first);
    assertThat(created.path("status").asText()).isEqualTo("created");
    assertThat(created.path("duplicate").asBoolean()).isFalse();
    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(json(replay).path("duplicate").asBoolean()).isTrue();
    assertThat(json(replay).path("usageRecordId").asLong())
        .isEqualTo(created.path("usageRecordId").asLong());
    assertThat(sum("SELECT coalesce(sum(quantity), 0) FROM usage_records"
        + " WHERE organization_id = ? AND idempotency_key = 'evt-1'", active)).isEqualTo(12);
  }

  @Test
  void aKeyReusedForOtherUsageIsAConflict() throws Exception {
    Instant at = Instant.now().minusSeconds(60);
    post("/api/usage", USAGE_TOKEN, usage(active, "api_calls", 1, at, "evt-2"));

    HttpResponse<String> response =
        post("/api/usage", USAGE_TOKEN, usage(active, "api_calls", 2, at, "evt-2"));

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(json(response).path("errors").get(0).path("field").asText())
        .isEqualTo("idempotencyKey");
  }

  @Test
  void aBatchIsStoredWithAResultPerRecordAndUsageDuringUnsubscribePendingIsAccepted()
      throws Exception {
    Instant at = Instant.now().minusSeconds(30);
    post("/api/usage", USAGE_TOKEN, usage(active, "storage_gb", 1, at, "evt-3"));

    HttpResponse<String> response = post("/api/usage", USAGE_TOKEN, "{\"records\": ["
        + usage(active, "storage_gb", 1, at, "evt-3") + ","
        + usage(active, "api_calls", 5, at, "evt-4") + ","
        + usage(leaving, "api_calls", 7, at, "evt-5") + "]}");

    assertThat(response.statusCode()).isEqualTo(201);
    JsonNode body = json(response);
    assertThat(body.path("created").asInt()).isEqualTo(2);
    assertThat(body.path("duplicates").asInt()).isEqualTo(1);
    assertThat(body.path("results").findValuesAsText("status"))
        .containsExactly("duplicate", "created", "created");
  }

  @Test
  void aBatchWithAnyRefusedRecordStoresNothingAndNamesEachProblem() throws Exception {
    Instant now = Instant.now();
    HttpResponse<String> response = post("/api/usage", USAGE_TOKEN, "{\"records\": ["
        + usage(active, "api_calls", 1, now.minusSeconds(5), "ok-but-not-stored") + ","
        + usage(active, "bandwidth", 1, now, "b") + ","
        + usage(active, "api_calls", 1, now.plus(Duration.ofMinutes(30)), "e") + ","
        + usage(active, "api_calls", 1, now.minus(Duration.ofHours(7)), "f") + ","
        + usage(pending, "api_calls", 1, now, "g") + ","
        + usage(starter, "api_calls", 1, now, "h") + ","
        + usage(UUID.randomUUID(), "api_calls", 1, now, "i") + "]}");

    assertThat(response.statusCode()).isEqualTo(422);
    JsonNode errors = json(response).path("errors");
    assertThat(errors.findValuesAsText("index")).containsExactly(
        "1", "2", "3", "4", "5", "6");
    assertThat(errors.findValuesAsText("message")).containsExactly(
        "dimension must be one of api_calls, storage_gb",
        "timestamp is in the future",
        "timestamp is older than the metering window of 6 h",
        "organizationId the organization is not billed through AWS Marketplace (its"
            + " subscription is PENDING)",
        "organizationId the organization is not billed through AWS Marketplace",
        "organizationId no such organization");
    assertThat(sum("SELECT count(*) FROM usage_records WHERE idempotency_key ="
        + " 'ok-but-not-stored' AND organization_id = ?", active)).isZero();
  }

  /**
   * The attack: a quantity a double cannot hold (1e400 became Infinity and a 500), or one that is
   * rounded, truncated or overflows on the way to the bill. Each is a 400 naming the record and
   * the field, single or in a batch, and nothing is stored.
   */
  @Test
  void hostileNumbersInUsageQuantityAreA400NamingTheField() throws Exception {
    String notWhole = "quantity must be a whole number written with digits only (no fraction,"
        + " exponent, NaN or Infinity)";
    String outOfRange = "quantity must be between 0 and 2147483647";
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("1e400", notWhole);
    cases.put("-1e400", notWhole);
    cases.put("1e2", notWhole);
    cases.put("1E+2", notWhole);
    cases.put("1.5", notWhole);
    cases.put("1.0", notWhole);
    cases.put("0.1e1", notWhole);
    cases.put("NaN", notWhole);
    cases.put("Infinity", notWhole);
    cases.put("-Infinity", notWhole);
    cases.put("2147483648", outOfRange);
    cases.put("9223372036854775808", outOfRange);
    cases.put("1" + "0".repeat(400), outOfRange);
    cases.put("-1", outOfRange);
    Instant now = Instant.now();
    int n = 0;
    for (Map.Entry<String, String> c : cases.entrySet()) {
      String record = "{\"organizationId\": \"" + active + "\", \"dimension\": \"api_calls\","
          + " \"quantity\": " + c.getKey() + ", \"timestamp\": \"" + now
          + "\", \"idempotencyKey\": \"hostile-" + n++ + "\"}";
      HttpResponse<String> single = post("/api/usage", USAGE_TOKEN, record);
      assertThat(single.statusCode()).as(c.getKey()).isEqualTo(400);
      JsonNode error = json(single).path("errors").get(0);
      assertThat(json(single).path("message").asText()).as(c.getKey())
          .isEqualTo("The usage is malformed; nothing was stored.");
      assertThat(error.path("field").asText()).as(c.getKey()).isEqualTo("quantity");
      assertThat(error.path("message").asText()).as(c.getKey()).isEqualTo(c.getValue());

      HttpResponse<String> batch = post("/api/usage", USAGE_TOKEN, "{\"records\": ["
          + usage(active, "api_calls", 1, now, "hostile-ok-" + n) + "," + record + "]}");
      assertThat(batch.statusCode()).as(c.getKey()).isEqualTo(400);
      JsonNode batchError = json(batch).path("errors").get(0);
      assertThat(batchError.path("index").asInt()).as(c.getKey()).isEqualTo(1);
      assertThat(batchError.path("field").asText()).as(c.getKey()).isEqualTo("quantity");
      assertThat(batchError.path("message").asText()).as(c.getKey()).isEqualTo(c.getValue());
    }
    assertThat(sum("SELECT count(*) FROM usage_records WHERE idempotency_key LIKE 'hostile-%'"))
        .isZero();
    // Beyond Jackson's 1000-digit limit the body is not read as JSON at all: still a 400.
    HttpResponse<String> huge = post("/api/usage", USAGE_TOKEN,
        "{\"quantity\": 1" + "0".repeat(1500) + "}");
    assertThat(huge.statusCode()).isEqualTo(400);
    assertThat(json(huge).path("message").asText()).startsWith("The body is not valid JSON");
  }

  @Test
  void malformedUsageIsA400() throws Exception {
    assertThat(post("/api/usage", USAGE_TOKEN, "not json").statusCode()).isEqualTo(400);
    HttpResponse<String> stringQuantity = post("/api/usage", USAGE_TOKEN,
        "{\"organizationId\": \"" + active + "\", \"dimension\": \"api_calls\","
            + " \"quantity\": \"5\", \"timestamp\": \"yesterday\"}");
    assertThat(stringQuantity.statusCode()).isEqualTo(400);
    assertThat(json(stringQuantity).path("errors").findValuesAsText("field"))
        .containsExactly("quantity", "timestamp", "idempotencyKey");
    assertThat(post("/api/usage", USAGE_TOKEN, "{\"records\": []}").statusCode()).isEqualTo(400);
  }

  @Test
  void usageNeedsTheServiceToken() throws Exception {
    String record = usage(active, "api_calls", 1, Instant.now(), "evt-auth");
    assertThat(post("/api/usage", null, record).statusCode()).isEqualTo(401);
    assertThat(post("/api/usage", "wrong", record).statusCode()).isEqualTo(401);
    assertThat(post("/api/usage", ADMIN_TOKEN, record).statusCode()).isEqualTo(401);
  }

  // ---- support view

  @Test
  void theSupportViewShowsWhatWasReportedHourByHourAndWhatWaits() throws Exception {
    UUID organization = linkedOrganization("ACTIVE");
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    post("/api/usage", USAGE_TOKEN, usage(organization, "api_calls", 4, hour.plusSeconds(1), "a"));
    post("/api/usage", USAGE_TOKEN, usage(organization, "api_calls", 6, hour.plusSeconds(2), "b"));
    JsonNode before = json(get("/admin/metering?organizationId=" + organization, ADMIN_TOKEN));
    assertThat(before.path("unmetered").get(0).path("quantity").asLong()).isEqualTo(10);

    MeteringRecordRepository records = new MeteringRecordRepository(database.jdbi());
    records.aggregate(hour, Origin.HOURLY, PRODUCT, List.of(), null);
    long id = records.ofOrganization(organization, hour).get(0).id();
    records.recordOutcomes(List.of(RecordOutcome.success(id, "mr-123")), List.of());

    HttpResponse<String> response = get("/admin/metering?organizationId=" + organization,
        ADMIN_TOKEN);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode view = json(response);
    assertThat(view.path("marketplace").path("subscriptionStatus").asText()).isEqualTo("ACTIVE");
    assertThat(view.path("unmetered")).isEmpty();
    JsonNode first = view.path("hours").get(0);
    assertThat(Instant.parse(first.path("hour").asText())).isEqualTo(hour);
    assertThat(first.path("records").get(0).path("quantity").asLong()).isEqualTo(10);
    assertThat(first.path("records").get(0).path("usageRecords").asInt()).isEqualTo(2);
    assertThat(first.path("records").get(0).path("status").asText()).isEqualTo("SUCCESS");
    assertThat(first.path("records").get(0).path("meteringRecordId").asText()).isEqualTo("mr-123");
    assertThat(first.path("records").get(0).path("sentAs").asText())
        .isEqualTo("CustomerAWSAccountId");
    JsonNode license = first.path("licenses").get(0);
    assertThat(license.path("licenseArn").isNull()).isTrue();
    assertThat(license.path("reported").asLong()).isEqualTo(10);
    assertThat(license.path("sent").asLong()).isEqualTo(10);
    assertThat(license.path("billed").asLong()).isEqualTo(10);
    assertThat(license.path("refused")).isEmpty();
    assertThat(view.path("mismatches")).isEmpty();
  }

  @Test
  void theSupportViewShowsEachLicenseAndTheMismatchesWithAws() throws Exception {
    UUID organization = linkedOrganization("ACTIVE");
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    database.jdbi().useHandle(h -> h.execute(
        "INSERT INTO marketplace_licenses (product_code, aws_account_id, license_key, license_arn,"
            + " status, usable_from, organization_id, sequence)"
            + " SELECT product_code, aws_account_id, 'agr-1', 'arn:license-1', 'USABLE', ?, ?, 1"
            + " FROM marketplace_links WHERE organization_id = ?",
        java.time.OffsetDateTime.ofInstant(hour.minus(Duration.ofDays(1)),
            java.time.ZoneOffset.UTC), organization, organization));
    post("/api/usage", USAGE_TOKEN, usage(organization, "api_calls", 7, hour.plusSeconds(1), "a"));
    MeteringRecordRepository records = new MeteringRecordRepository(database.jdbi());
    records.aggregate(hour, Origin.HOURLY, PRODUCT, List.of(), null);
    long id = records.ofOrganization(organization, hour).get(0).id();
    records.recordOutcomes(List.of(new io.mpconnect.persistence.metering.RecordOutcome(id,
        io.mpconnect.persistence.metering.RecordStatus.CUSTOMER_NOT_SUBSCRIBED, null, null)),
        List.of());
    assertThat(records.recordMismatches(List.of(id))).hasSize(1);

    JsonNode view = json(get("/admin/metering?organizationId=" + organization, ADMIN_TOKEN));

    JsonNode first = view.path("hours").get(0);
    JsonNode license = first.path("licenses").get(0);
    assertThat(license.path("licenseArn").asText()).isEqualTo("arn:license-1");
    assertThat(license.path("licenseKey").asText()).isEqualTo("agr-1");
    assertThat(license.path("reported").asLong()).isEqualTo(7);
    assertThat(license.path("sent").asLong()).isEqualTo(7);
    assertThat(license.path("billed").asLong()).isZero();
    assertThat(license.path("refused").get(0).path("reason").asText())
        .isEqualTo("CUSTOMER_NOT_SUBSCRIBED");
    assertThat(license.path("refused").get(0).path("mismatch").asText())
        .isEqualTo("LicenseUsable");
    assertThat(first.path("records").get(0).path("sentAs").asText())
        .isEqualTo("CustomerAWSAccountId+LicenseArn");
    JsonNode mismatch = view.path("mismatches").get(0);
    assertThat(mismatch.path("licenseArn").asText()).isEqualTo("arn:license-1");
    assertThat(mismatch.path("awsAnswer").asText()).isEqualTo("CustomerNotSubscribed");
    assertThat(mismatch.path("licenseStatus").asText()).isEqualTo("USABLE");
    assertThat(mismatch.path("quantity").asLong()).isEqualTo(7);
  }

  @Test
  void theSupportViewNeedsTheAdminTokenAndAKnownOrganization() throws Exception {
    assertThat(get("/admin/metering?organizationId=" + active, USAGE_TOKEN).statusCode())
        .isEqualTo(401);
    assertThat(get("/admin/metering?organizationId=" + UUID.randomUUID(), ADMIN_TOKEN)
        .statusCode()).isEqualTo(404);
    assertThat(get("/admin/metering?organizationId=nope", ADMIN_TOKEN).statusCode())
        .isEqualTo(400);
  }

  // ---- manual runs

  @Test
  void aManualRunStartsTheHoursWorkflowOnceAndRefusesHoursItCannotMeter() throws Exception {
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
    String body = "{\"hour\": \"" + hour + "\"}";

    HttpResponse<String> started = post("/admin/metering/runs", ADMIN_TOKEN, body);
    HttpResponse<String> again = post("/admin/metering/runs", ADMIN_TOKEN, body);

    assertThat(started.statusCode()).isEqualTo(202);
    assertThat(json(started).path("workflowId").asText())
        .isEqualTo(MeteringIds.hourWorkflowId(hour));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).path("started").asBoolean()).isFalse();

    Instant current = Instant.now().truncatedTo(ChronoUnit.HOURS);
    assertThat(post("/admin/metering/runs", ADMIN_TOKEN, "{\"hour\": \"" + current + "\"}")
        .statusCode()).isEqualTo(422);
    assertThat(post("/admin/metering/runs", ADMIN_TOKEN,
        "{\"hour\": \"" + hour.plusSeconds(60) + "\"}").statusCode()).isEqualTo(422);
    assertThat(post("/admin/metering/runs", ADMIN_TOKEN,
        "{\"hour\": \"" + current.minus(Duration.ofHours(9)) + "\"}").statusCode()).isEqualTo(422);
    assertThat(post("/admin/metering/runs", ADMIN_TOKEN, "{}").statusCode()).isEqualTo(400);
    assertThat(post("/admin/metering/runs", null, body).statusCode()).isEqualTo(401);
  }

  // ---- usage intake and the licenses' windows

  @Test
  void usageBeforeTheLicenseBecameUsableIsRefusedNamingTheLicenseAndUsageInsideIsStored()
      throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant usableFrom = now.minus(Duration.ofHours(2));
    UUID org = licensedOrganization("ACTIVE",
        license("agmt-1", MarketplaceLicense.Status.USABLE, usableFrom, null, null));

    HttpResponse<String> before = post("/api/usage", USAGE_TOKEN,
        usage(org, "api_calls", 3, usableFrom.minus(Duration.ofMinutes(30)), "lic-before"));
    HttpResponse<String> inside = post("/api/usage", USAGE_TOKEN,
        usage(org, "api_calls", 4, usableFrom.plus(Duration.ofMinutes(1)), "lic-inside"));

    assertThat(before.statusCode()).isEqualTo(422);
    JsonNode error = json(before).path("errors").get(0);
    assertThat(error.path("field").asText()).isEqualTo("timestamp");
    assertThat(error.path("message").asText()).isEqualTo(
        "timestamp is before the organization's AWS Marketplace license became usable (license"
            + " agmt-1: usable from " + usableFrom + "); AWS accepts no usage before a license"
            + " starts");
    assertThat(inside.statusCode()).isEqualTo(201);
    assertThat(sum("SELECT coalesce(sum(quantity), 0) FROM usage_records"
        + " WHERE organization_id = ?", org)).isEqualTo(4);
  }

  @Test
  void afterTheLicenseWasRevokedUsageIsRefusedWhateverItsTimestampAndSaysWhenItEnded()
      throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant ended = now.minus(Duration.ofHours(2));
    Instant revoked = now.minus(Duration.ofHours(1));
    UUID org = licensedOrganization("UNSUBSCRIBED",
        license("legacy", MarketplaceLicense.Status.ENDED, now.minus(Duration.ofHours(5)), ended,
            revoked));

    HttpResponse<String> afterRevocation = post("/api/usage", USAGE_TOKEN,
        usage(org, "api_calls", 1, now.minusSeconds(30), "rev-after"));
    HttpResponse<String> stampedBefore = post("/api/usage", USAGE_TOKEN,
        usage(org, "api_calls", 1, ended.plus(Duration.ofMinutes(10)), "rev-before"));

    String message = "organizationId the AWS Marketplace subscription of this organization ended"
        + " at " + revoked + "; AWS accepts no more usage for it";
    assertThat(afterRevocation.statusCode()).isEqualTo(422);
    assertThat(json(afterRevocation).path("errors").get(0).path("message").asText())
        .isEqualTo(message);
    assertThat(stampedBefore.statusCode()).isEqualTo(422);
    assertThat(json(stampedBefore).path("errors").get(0).path("message").asText())
        .isEqualTo(message);
    assertThat(sum("SELECT count(*) FROM usage_records WHERE organization_id = ?", org)).isZero();
  }

  @Test
  void duringTheFinalHourUsageIsStoredAndAfterItTheTimestampIsRefused() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant ended = now.minus(Duration.ofMinutes(20));
    UUID org = licensedOrganization("UNSUBSCRIBE_PENDING",
        license("agmt-2", MarketplaceLicense.Status.ENDING, now.minus(Duration.ofHours(5)), ended,
            null));

    HttpResponse<String> inFinalHour = post("/api/usage", USAGE_TOKEN,
        usage(org, "api_calls", 2, now.minusSeconds(5), "final-hour"));

    assertThat(inFinalHour.statusCode()).isEqualTo(201);
  }

  @Test
  void withSeveralLicensesUsageIsAcceptedWhenOneIsUsableAtItsTimestamp() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant firstEnded = now.minus(Duration.ofHours(4));
    Instant secondFrom = now.minus(Duration.ofHours(1));
    UUID org = licensedOrganization("ACTIVE",
        license("agmt-old", MarketplaceLicense.Status.ENDING, now.minus(Duration.ofHours(5)),
            firstEnded, null),
        license("agmt-new", MarketplaceLicense.Status.USABLE, secondFrom, null, null));

    HttpResponse<String> response = post("/api/usage", USAGE_TOKEN, "{\"records\": ["
        + usage(org, "api_calls", 1, now.minus(Duration.ofMinutes(270)), "two-a") + ","
        + usage(org, "api_calls", 1, now.minus(Duration.ofMinutes(30)), "two-b") + "]}");
    HttpResponse<String> between = post("/api/usage", USAGE_TOKEN,
        usage(org, "api_calls", 1, now.minus(Duration.ofMinutes(150)), "two-c"));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(json(response).path("created").asInt()).isEqualTo(2);
    assertThat(between.statusCode()).isEqualTo(422);
    assertThat(json(between).path("errors").get(0).path("message").asText())
        .startsWith("timestamp is outside every AWS Marketplace license of the organization")
        .contains("license agmt-old: usable from " + now.minus(Duration.ofHours(5)) + " until "
            + firstEnded.plus(Duration.ofHours(1)))
        .contains("license agmt-new: usable from " + secondFrom);
  }

  // ---- helpers

  private static LicenseRepository.Entry license(String key, MarketplaceLicense.Status status,
      Instant usableFrom, Instant endedAt, Instant revokedAt) {
    return new LicenseRepository.Entry(key, "arn:aws:license-manager::123:license:l-" + key, key,
        status, usableFrom, endedAt, revokedAt, false, null, "NEW", null);
  }

  /** An organization linked to a customer whose subscription wrote these licenses. */
  private static UUID licensedOrganization(String linkStatus, LicenseRepository.Entry... licenses) {
    UUID organizationId = linkedOrganization(linkStatus);
    String account = database.jdbi().withHandle(h -> h.select(
        "SELECT aws_account_id FROM marketplace_links WHERE organization_id = ?", organizationId)
        .mapTo(String.class).one());
    new LicenseRepository(database.jdbi()).save(new LicenseRepository.LicenseSet(
        PRODUCT, account, organizationId, List.of(licenses), 1));
    return organizationId;
  }

  private static UUID linkedOrganization(String status) {
    UUID organizationId = UUID.randomUUID();
    String account = Long.toString(accounts.incrementAndGet());
    database.jdbi().useTransaction(h -> {
      h.execute("INSERT INTO organizations (id, name, plan, billing_provider)"
          + " VALUES (?, ?, 'STANDARD', 'AWS_MARKETPLACE')", organizationId, "Org " + account);
      h.execute("INSERT INTO marketplace_customers (product_code, aws_account_id)"
          + " VALUES (?, ?)", PRODUCT, account);
      h.execute("INSERT INTO marketplace_links (product_code, aws_account_id, organization_id,"
          + " subscription_status, status_changed_at) VALUES (?, ?, ?, ?, ?)",
          PRODUCT, account, organizationId, status,
          OffsetDateTime.now(ZoneOffset.UTC).minusDays(1));
    });
    return organizationId;
  }

  private static String usage(UUID org, String dimension, long quantity, Instant at, String key) {
    return "{\"organizationId\": \"" + org + "\", \"dimension\": \"" + dimension
        + "\", \"quantity\": " + quantity + ", \"timestamp\": \"" + at
        + "\", \"idempotencyKey\": \"" + key + "\"}";
  }

  private static HttpResponse<String> post(String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return Json.MAPPER.readTree(response.body());
  }

  private static long sum(String sql, Object... args) {
    return database.jdbi().withHandle(h -> h.select(sql, args).mapTo(Long.class).one());
  }
}
