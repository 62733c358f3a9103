package io.mpconnect.standins.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The wire protocol and the test knobs, with a plain HTTP client. */
class MeteringStandInProtocolTest {
  static final String PRODUCT = "prod-abc123";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static MeteringStandIn standIn;

  @BeforeAll
  static void start() {
    standIn = new MeteringStandIn(PRODUCT).start(0);
  }

  @AfterEach
  void reset() {
    standIn.reset();
    standIn.setClock(Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    standIn.close();
  }

  @Test
  void errorsAreJson11WithTheirTypeAndMessage() throws Exception {
    HttpResponse<String> response = post("ResolveCustomer", "{\"RegistrationToken\":\"nope\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/x-amz-json-1.1");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("__type").asText()).isEqualTo("InvalidTokenException");
    assertThat(body.path("message").asText()).isNotBlank();
  }

  @Test
  void demoTokensAnswerTheCurrentModel_legacyTokensTheLegacyModel_onTheWire() throws Exception {
    String demo = MeteringStandIn.newDemoToken("111122223333");
    String legacy = MeteringStandIn.newLegacyToken("111122223333");

    HttpResponse<String> current = resolve(demo);
    HttpResponse<String> old = resolve(legacy);

    assertThat(current.statusCode()).isEqualTo(200);
    assertThat(current.body()).contains("\"LicenseArn\":\"arn:aws:license-manager::");
    JsonNode currentBody = JSON.readTree(current.body());
    assertThat(currentBody.path("CustomerAWSAccountId").asText()).isEqualTo("111122223333");
    assertThat(currentBody.path("ProductCode").asText()).isEqualTo(PRODUCT);
    assertThat(currentBody.path("LicenseArn").asText())
        .isEqualTo(MeteringStandIn.demoLicenseArn(demo))
        .matches("arn:aws:license-manager::\\d{12}:license:l-[0-9a-f]{32}");
    assertThat(currentBody.has("CustomerIdentifier")).isFalse();

    assertThat(old.statusCode()).isEqualTo(200);
    JsonNode oldBody = JSON.readTree(old.body());
    assertThat(oldBody.path("CustomerIdentifier").asText()).isEqualTo("cust-111122223333");
    assertThat(oldBody.path("CustomerAWSAccountId").asText()).isEqualTo("111122223333");
    assertThat(oldBody.has("LicenseArn")).isFalse();
  }

  @Test
  void theResolveListenerTellsTheModelApart() throws Exception {
    List<MarketplaceCustomer> seen = new CopyOnWriteArrayList<>();
    List<String> identifiers = new CopyOnWriteArrayList<>();
    String demo = MeteringStandIn.newDemoToken("111122223333");
    try {
      standIn.onCustomerResolved(seen::add);
      resolve(demo);
      resolve("legacy-111122223333");
      resolve("nope");

      assertThat(seen)
          .containsExactly(
              new MarketplaceCustomer(
                  PRODUCT, "111122223333", null, MeteringStandIn.demoLicenseArn(demo)),
              new MarketplaceCustomer(PRODUCT, "111122223333", "cust-111122223333", null));
      assertThat(seen).extracting(MarketplaceCustomer::currentModel).containsExactly(true, false);

      // The three-field listener of before still works (the developer mode uses it).
      standIn.onCustomerResolved(
          (product, account, identifier) ->
              identifiers.add(product + "/" + account + "/" + identifier));
      resolve(demo);
      resolve("legacy-111122223333-x");
      assertThat(identifiers)
          .containsExactly(
              PRODUCT + "/111122223333/null", PRODUCT + "/111122223333/cust-111122223333");
      assertThat(seen).hasSize(2);
    } finally {
      standIn.onCustomerResolved((MeteringStandIn.CustomerListener) null);
    }
  }

  @Test
  void unknownOperationsAndBadBodiesAreRefused() throws Exception {
    assertThat(JSON.readTree(post("MeterUsage", "{}").body()).path("__type").asText())
        .isEqualTo("UnknownOperationException");
    assertThat(JSON.readTree(post("ResolveCustomer", "not json").body()).path("__type").asText())
        .isEqualTo("SerializationException");
  }

  @Test
  void theCallLogRecordsOperationRequestStatusAndTime() throws Exception {
    Instant fixed = Instant.parse("2026-11-26T04:30:00Z");
    standIn.setClock(Clock.fixed(fixed, ZoneOffset.UTC));
    String body =
        "{\"ProductCode\":\"prod-abc123\",\"UsageRecords\":[{\"Timestamp\":1.7956656E9,"
            + "\"CustomerIdentifier\":\"cust-111122223333\","
            + "\"Dimension\":\"users\",\"Quantity\":2}]}";

    HttpResponse<String> response = post("BatchMeterUsage", body);

    assertThat(response.statusCode()).isEqualTo(200);
    MeteringCall call = standIn.calls().get(0);
    assertThat(call.operation()).isEqualTo("BatchMeterUsage");
    assertThat(call.request()).isEqualTo(JSON.readTree(body));
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.at()).isEqualTo(fixed);
    assertThat(call.response().path("Results").get(0).path("Status").asText()).isEqualTo("Success");
    assertThat(standIn.meteredRecords().get(0).timestamp())
        .isEqualTo(Instant.parse("2026-11-26T04:00:00Z"));
  }

  @Test
  void theTimestampWindowIsConfigurable() throws Exception {
    standIn.setClock(Clock.fixed(Instant.parse("2026-11-26T20:00:00Z"), ZoneOffset.UTC));
    String tenHoursBefore =
        "{\"ProductCode\":\"prod-abc123\",\"UsageRecords\":[{\"Timestamp\":1795687200,"
            + "\"CustomerAWSAccountId\":\"111122223333\",\"Dimension\":\"users\",\"Quantity\":1}]}";

    JsonNode refused = JSON.readTree(post("BatchMeterUsage", tenHoursBefore).body());
    assertThat(refused.path("__type").asText()).isEqualTo("TimestampOutOfBoundsException");

    standIn.setTimestampWindow(Duration.ofHours(24));
    try {
      assertThat(post("BatchMeterUsage", tenHoursBefore).statusCode()).isEqualTo(200);
    } finally {
      standIn.setTimestampWindow(MeteringStandIn.DEFAULT_TIMESTAMP_WINDOW);
    }
  }

  private static String record(String fields) {
    return "{\"ProductCode\":\"prod-abc123\",\"UsageRecords\":[{\"Timestamp\":1795665600,"
        + "\"Dimension\":\"users\",\"Quantity\":1," + fields + "}]}";
  }

  @Test
  void usageRecordsByAccountAndLicenseAreBilledPerLicense() throws Exception {
    standIn.setClock(Clock.fixed(Instant.parse("2026-11-26T04:30:00Z"), ZoneOffset.UTC));
    String one = MeteringStandIn.licenseArn("one");
    String two = MeteringStandIn.licenseArn("two");

    HttpResponse<String> first = post("BatchMeterUsage",
        record("\"CustomerAWSAccountId\":\"111122223333\",\"LicenseArn\":\"" + one + "\""));
    HttpResponse<String> second = post("BatchMeterUsage",
        record("\"CustomerAWSAccountId\":\"111122223333\",\"LicenseArn\":\"" + two + "\""));
    HttpResponse<String> again = post("BatchMeterUsage",
        record("\"CustomerAWSAccountId\":\"111122223333\",\"LicenseArn\":\"" + one + "\""));

    assertThat(List.of(first, second, again)).allSatisfy(r -> assertThat(r.statusCode())
        .isEqualTo(200));
    // Keyed by account + license + dimension + hour: two licenses, two records; a resend of the
    // first is the same record.
    assertThat(standIn.meteredRecords()).extracting(MeteredRecord::licenseArn)
        .containsExactly(one, two);
    JsonNode result = JSON.readTree(again.body()).path("Results").get(0);
    assertThat(result.path("MeteringRecordId").asText())
        .isEqualTo(standIn.meteredRecords().get(0).meteringRecordId());
    assertThat(result.path("UsageRecord").path("LicenseArn").asText()).isEqualTo(one);
    standIn.reset();
  }

  @Test
  void anUnknownPoisonedOrForeignLicenseIsAnInvalidLicenseException() throws Exception {
    standIn.setClock(Clock.fixed(Instant.parse("2026-11-26T04:30:00Z"), ZoneOffset.UTC));
    String poisoned = MeteringStandIn.licenseArn("poisoned");
    standIn.poisonLicense(poisoned);
    standIn.registerLicense("444455556666", "arn:aws:license-manager::1:license:l-registered");

    for (String body : List.of(
        record("\"CustomerAWSAccountId\":\"111122223333\",\"LicenseArn\":\"arn:unknown\""),
        record("\"CustomerAWSAccountId\":\"111122223333\",\"LicenseArn\":\"" + poisoned
            + "\""),
        record("\"CustomerAWSAccountId\":\"111122223333\","
            + "\"LicenseArn\":\"arn:aws:license-manager::1:license:l-registered\""))) {
      HttpResponse<String> response = post("BatchMeterUsage", body);
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).path("__type").asText())
          .isEqualTo("InvalidLicenseException");
      assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains(
          "InvalidLicenseException");
    }
    assertThat(post("BatchMeterUsage", record("\"CustomerAWSAccountId\":\"444455556666\","
        + "\"LicenseArn\":\"arn:aws:license-manager::1:license:l-registered\"")).statusCode())
        .isEqualTo(200);
    assertThat(standIn.meteredRecords()).hasSize(1);
    standIn.reset();
  }

  @Test
  void aRecordNamingBothIdentifierAndAccountOrALicenseWithTheIdentifierIsRefused()
      throws Exception {
    standIn.setClock(Clock.fixed(Instant.parse("2026-11-26T04:30:00Z"), ZoneOffset.UTC));
    for (String body : List.of(
        record("\"CustomerAWSAccountId\":\"111122223333\","
            + "\"CustomerIdentifier\":\"cust-111122223333\""),
        record("\"CustomerIdentifier\":\"cust-111122223333\",\"LicenseArn\":\""
            + MeteringStandIn.licenseArn("x") + "\""))) {
      HttpResponse<String> response = post("BatchMeterUsage", body);
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).path("__type").asText())
          .isEqualTo("ValidationException");
    }
    assertThat(standIn.meteredRecords()).isEmpty();
    standIn.reset();
  }

  @Test
  void aSeededFailureRateRepeatsItself() throws Exception {
    List<Integer> first = statusesWithFailureRate();
    standIn.reset();
    List<Integer> second = statusesWithFailureRate();

    assertThat(first).isEqualTo(second).contains(200, 400);
  }

  private List<Integer> statusesWithFailureRate() throws Exception {
    standIn.setFailureRate("ResolveCustomer", "ThrottlingException", 0.5);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String body = "{\"RegistrationToken\":\"demo-111122223333\"}";
      statuses.add(post("ResolveCustomer", body).statusCode());
    }
    return statuses;
  }

  @Test
  void latencyDelaysEveryAnswer() throws Exception {
    standIn.setLatency(Duration.ofMillis(200));
    long started = System.nanoTime();

    post("ResolveCustomer", "{\"RegistrationToken\":\"demo-111122223333\"}");

    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void concurrentResubmissionsAreBilledOnceWithOneId() throws Exception {
    long hour = Instant.now().getEpochSecond() / 3600 * 3600;
    StringBuilder records = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      records.append(i == 0 ? "" : ",")
          .append("{\"Timestamp\":").append(hour)
          .append(",\"CustomerIdentifier\":\"cust-00000000000").append(i)
          .append("\",\"Dimension\":\"users\",\"Quantity\":1}");
    }
    String body = "{\"ProductCode\":\"prod-abc123\",\"UsageRecords\":[" + records + "]}";
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<HttpResponse<String>>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tasks.add(() -> post("BatchMeterUsage", body));
      }
      List<String> ids = new ArrayList<>();
      for (Future<HttpResponse<String>> future : pool.invokeAll(tasks)) {
        JsonNode results = JSON.readTree(future.get().body()).path("Results");
        results.forEach(result -> ids.add(result.path("MeteringRecordId").asText()));
      }
      assertThat(ids).hasSize(80);
      assertThat(ids.stream().distinct()).hasSize(10);
      assertThat(standIn.meteredRecords()).hasSize(10);
      assertThat(standIn.calls()).hasSize(8);
    } finally {
      pool.shutdownNow();
    }
  }

  static HttpResponse<String> resolve(String token) throws Exception {
    return post("ResolveCustomer", "{\"RegistrationToken\":\"" + token + "\"}");
  }

  static HttpResponse<String> post(String operation, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(standIn.endpoint().resolve("/"))
            .header("X-Amz-Target", "AWSMPMeteringService." + operation)
            .header("Content-Type", "application/x-amz-json-1.1")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
