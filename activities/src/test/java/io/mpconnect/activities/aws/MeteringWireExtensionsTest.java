package io.mpconnect.activities.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mpconnect.config.Env;
import io.mpconnect.standins.metering.MeteringCall;
import io.mpconnect.standins.metering.MeteringStandIn;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageResponse;
import software.amazon.awssdk.services.marketplacemetering.model.ExpiredTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.InternalServiceErrorException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.MarketplaceMeteringException;
import software.amazon.awssdk.services.marketplacemetering.model.ResolveCustomerRequest;
import software.amazon.awssdk.services.marketplacemetering.model.ResolveCustomerResponse;
import software.amazon.awssdk.services.marketplacemetering.model.ThrottlingException;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecord;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecordResultStatus;

/**
 * {@link MeteringWireExtensions}: the real SDK client fed raw bodies by a canned HTTP server
 * (compared with a client without the interceptor), the interceptor on its own, and the client
 * {@link MeteringClients} builds against the Metering stand-in.
 */
class MeteringWireExtensionsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCOUNT = "111122223333";
  static final String LICENSE =
      "arn:aws:license-manager::999988887777:license:l-" + "0f".repeat(16);
  static final String LICENSE_ARN = "arn:aws:license-manager::\\d{12}:license:l-[0-9a-f]{32}";

  /** Answers every request with the reply set last, and keeps what it was sent. */
  static final class CannedServer implements AutoCloseable {
    record Received(String target, Map<String, List<String>> headers, byte[] body) {
      JsonNode json() throws IOException {
        return JSON.readTree(body);
      }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile Map<String, String> headers = Map.of();
    private volatile byte[] body = new byte[0];

    CannedServer() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
      server.createContext("/", this::handle);
      server.start();
    }

    void reply(int status, String body) {
      reply(status, Map.of(), body);
    }

    void reply(int status, Map<String, String> headers, String body) {
      this.status = status;
      this.headers = headers;
      this.body = body.getBytes(StandardCharsets.UTF_8);
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    Received last() {
      return received.get(received.size() - 1);
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        byte[] request = exchange.getRequestBody().readAllBytes();
        received.add(
            new Received(
                exchange.getRequestHeaders().getFirst("X-Amz-Target"),
                Map.copyOf(exchange.getRequestHeaders()),
                request));
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", "req-1");
        headers.forEach(exchange.getResponseHeaders()::set);
        byte[] reply = body;
        exchange.sendResponseHeaders(status, reply.length == 0 ? -1 : reply.length);
        if (reply.length > 0) {
          exchange.getResponseBody().write(reply);
        }
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  static CannedServer canned;
  /** Built like production: {@link MeteringClients#create}, with the interceptor. */
  static MarketplaceMeteringClient extended;
  /** The same SDK client without the interceptor: what the SDK does on its own. */
  static MarketplaceMeteringClient plain;

  @BeforeAll
  static void start() throws IOException {
    canned = new CannedServer();
    extended = MeteringClients.create(env(canned.endpoint()));
    plain =
        MarketplaceMeteringClient.builder()
            .endpointOverride(canned.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
  }

  @AfterAll
  static void stop() {
    extended.close();
    plain.close();
    canned.close();
  }

  static Env env(URI endpoint) {
    return new Env(
        Map.of(
            MeteringClients.ENDPOINT_VARIABLE, endpoint.toString(),
            "AWS_REGION", "us-east-1",
            "AWS_ACCESS_KEY_ID", "test",
            "AWS_SECRET_ACCESS_KEY", "test"));
  }

  // ---- ResolveCustomer: raw bodies through the real SDK client

  @Test
  void aCurrentModelAnswerGivesTheLicenseArn_andTheSdkUnmarshallsAsWithoutTheInterceptor() {
    canned.reply(
        200,
        "{\"CustomerAWSAccountId\":\"" + ACCOUNT + "\",\"ProductCode\":\"prod-ours\","
            + "\"LicenseArn\":\"" + LICENSE + "\"}");

    MeteringWireExtensions.ResolvedOnTheWire resolved =
        MeteringWireExtensions.resolveCustomer(extended, "tok");

    assertThat(resolved.licenseArn()).isEqualTo(LICENSE);
    assertThat(resolved.response().customerAWSAccountId()).isEqualTo(ACCOUNT);
    assertThat(resolved.response().productCode()).isEqualTo("prod-ours");
    assertThat(resolved.response().customerIdentifier()).isNull();
    assertSameModel(resolved.response(), plain.resolveCustomer(r -> r.registrationToken("tok")));
  }

  @Test
  void aLegacyAnswerGivesNoLicenseArn() {
    canned.reply(
        200,
        "{\"CustomerIdentifier\":\"cust-" + ACCOUNT + "\",\"CustomerAWSAccountId\":\"" + ACCOUNT
            + "\",\"ProductCode\":\"prod-ours\"}");

    MeteringWireExtensions.ResolvedOnTheWire resolved =
        MeteringWireExtensions.resolveCustomer(extended, "tok");

    assertThat(resolved.licenseArn()).isNull();
    assertThat(resolved.response().customerIdentifier()).isEqualTo("cust-" + ACCOUNT);
    assertSameModel(resolved.response(), plain.resolveCustomer(r -> r.registrationToken("tok")));
  }

  @Test
  void unexpectedExtraFieldsChangeNothingTheSdkReads() {
    canned.reply(
        200,
        "{\"Future\":{\"nested\":[1,2.5,{\"x\":null}]},\"CustomerAWSAccountId\":\"" + ACCOUNT
            + "\",\"Number\":12345678901234567890,\"ProductCode\":\"prod-ours\",\"Flag\":true,"
            + "\"LicenseArn\":\"" + LICENSE + "\",\"Unicode\":\"\u00e9\u2603\"}");
    MeteringWireExtensions.Call call = MeteringWireExtensions.Call.readingResponse();

    ResolveCustomerResponse response =
        extended.resolveCustomer(
            r -> r.registrationToken("tok").overrideConfiguration(call::attach));

    assertSameModel(response, plain.resolveCustomer(r -> r.registrationToken("tok")));
    assertThat(call.licenseArn()).isEqualTo(LICENSE);
    assertThat(call.responseBody().path("Future").path("nested").size()).isEqualTo(3);
    assertThat(call.responseText("Unicode")).isEqualTo("\u00e9\u2603");
    assertThat(call.statusCode()).isEqualTo(200);
    assertThat(call.errorType()).isNull();
  }

  @ParameterizedTest(name = "LicenseArn {0}")
  @ValueSource(strings = {"null", "42", "\"\"", "\"  \"", "{\"Arn\":\"x\"}", "[\"x\"]"})
  void aLicenseArnThatIsNotTextIsNone(String value) {
    canned.reply(
        200,
        "{\"CustomerAWSAccountId\":\"" + ACCOUNT + "\",\"ProductCode\":\"prod-ours\","
            + "\"LicenseArn\":" + value + "}");

    MeteringWireExtensions.ResolvedOnTheWire resolved =
        MeteringWireExtensions.resolveCustomer(extended, "tok");

    assertThat(resolved.licenseArn()).isNull();
    assertThat(resolved.response().customerAWSAccountId()).isEqualTo(ACCOUNT);
  }

  @Test
  void errorBodiesGiveTheSdksOwnTypedExceptions_andTheErrorTypeIsRead() {
    assertSameFailure(
        400, "{\"__type\":\"InvalidTokenException\",\"message\":\"bad\"}",
        InvalidTokenException.class, "InvalidTokenException");
    assertSameFailure(
        400,
        "{\"__type\":\"com.amazonaws.marketplace#ExpiredTokenException\",\"message\":\"old\"}",
        ExpiredTokenException.class, "ExpiredTokenException");
    assertSameFailure(
        500, "{\"__type\":\"InternalServiceErrorException\",\"message\":\"down\",\"Extra\":[1]}",
        InternalServiceErrorException.class, "InternalServiceErrorException");
    // Unknown to this SDK module: a generic exception with AWS's error code, and the Call names it.
    assertSameFailure(
        400, "{\"__type\":\"InvalidLicenseException\",\"message\":\"no such license\"}",
        MarketplaceMeteringException.class, "InvalidLicenseException");
  }

  @Test
  void anErrorTypeOnlyInTheHeaderIsRead() {
    canned.reply(
        400,
        Map.of("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/"),
        "{\"message\":\"slow down\"}");
    MeteringWireExtensions.Call call = MeteringWireExtensions.Call.readingResponse();

    Throwable extendedFailure = catchThrowable(() -> resolveWith(call));
    Throwable plainFailure = catchThrowable(() -> resolveWithoutTheInterceptor());

    assertThat(extendedFailure).isInstanceOf(ThrottlingException.class);
    assertThat(plainFailure).isInstanceOf(ThrottlingException.class);
    assertThat(call.errorType()).isEqualTo("ThrottlingException");
    assertThat(call.statusCode()).isEqualTo(400);
  }

  @ParameterizedTest(name = "[{index}] body: {0}")
  @ValueSource(strings = {"not json", "[1,2]", "{\"truncated\":", ""})
  void aBodyThatIsNotAJsonObjectIsPassedOnAsIs(String body) {
    canned.reply(200, body);
    MeteringWireExtensions.Call call = MeteringWireExtensions.Call.readingResponse();

    Throwable extendedFailure = catchThrowable(() -> resolveWith(call));
    Throwable plainFailure = catchThrowable(() -> resolveWithoutTheInterceptor());

    // Whatever the SDK makes of it alone, it makes of it with the interceptor.
    if (plainFailure == null) {
      assertThat(extendedFailure).isNull();
    } else {
      assertThat(extendedFailure).isNotNull().hasSameClassAs(plainFailure);
    }
    assertThat(call.answered()).isTrue();
    assertThat(call.licenseArn()).isNull();
    if (!body.startsWith("[")) {
      assertThat(call.responseBody().isMissingNode()).isTrue();
    }
  }

  @Test
  void aClientWithoutTheInterceptorIsRefusedInsteadOfLosingTheLicense() {
    canned.reply(
        200,
        "{\"CustomerAWSAccountId\":\"" + ACCOUNT + "\",\"ProductCode\":\"p\",\"LicenseArn\":\""
            + LICENSE + "\"}");

    assertThatThrownBy(() -> MeteringWireExtensions.resolveCustomer(plain, "tok"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MeteringClients.create");
  }

  @Test
  void aCallIsForOneRequest() {
    canned.reply(200, "{\"CustomerAWSAccountId\":\"" + ACCOUNT + "\",\"ProductCode\":\"p\"}");
    MeteringWireExtensions.Call call = MeteringWireExtensions.Call.readingResponse();
    resolveWith(call);

    assertThatThrownBy(() -> resolveWith(call)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void callsWithoutACallAreSentAndReadUntouched() throws Exception {
    canned.reply(200, "{\"CustomerAWSAccountId\":\"" + ACCOUNT + "\",\"ProductCode\":\"p\"}");

    ResolveCustomerResponse response = extended.resolveCustomer(r -> r.registrationToken("tok"));

    assertThat(response.customerAWSAccountId()).isEqualTo(ACCOUNT);
    assertThat(canned.last().json()).isEqualTo(JSON.readTree("{\"RegistrationToken\":\"tok\"}"));
  }

  // ---- the seam for BatchMeterUsage: editing the request body

  @Test
  void anEditedRequestBodyIsSentWithItsLength_andSignedAsSent() throws Exception {
    Instant hour = Instant.parse("2026-11-26T04:00:00.123Z");
    canned.reply(
        200,
        "{\"Results\":[{\"UsageRecord\":{\"Timestamp\":1.795665600123E9,\"CustomerAWSAccountId\":\""
            + ACCOUNT + "\",\"LicenseArn\":\"" + LICENSE + "\",\"Dimension\":\"users\","
            + "\"Quantity\":3},\"MeteringRecordId\":\"m-1\",\"Status\":\"Success\"}],"
            + "\"UnprocessedRecords\":[]}");
    List<String> licenses = List.of(LICENSE);
    AtomicInteger edits = new AtomicInteger();
    MeteringWireExtensions.Call call =
        MeteringWireExtensions.Call.editingRequest(
            body -> {
              edits.incrementAndGet();
              // What the BatchMeterUsage change will do: each record by the account and license.
              for (int i = 0; i < body.path("UsageRecords").size(); i++) {
                ObjectNode record = (ObjectNode) body.path("UsageRecords").get(i);
                record.remove("CustomerIdentifier");
                record.put("CustomerAWSAccountId", ACCOUNT).put("LicenseArn", licenses.get(i));
              }
            });

    BatchMeterUsageResponse response =
        extended.batchMeterUsage(
            r ->
                r.productCode("prod-ours")
                    .usageRecords(
                        UsageRecord.builder()
                            .customerIdentifier("cust-" + ACCOUNT)
                            .dimension("users")
                            .timestamp(hour)
                            .quantity(3)
                            .build())
                    .overrideConfiguration(call::attach));

    CannedServer.Received sent = canned.last();
    JsonNode record = sent.json().path("UsageRecords").get(0);
    assertThat(record.path("LicenseArn").asText()).isEqualTo(LICENSE);
    assertThat(record.path("CustomerAWSAccountId").asText()).isEqualTo(ACCOUNT);
    assertThat(record.has("CustomerIdentifier")).isFalse();
    assertThat(record.path("Dimension").asText()).isEqualTo("users");
    assertThat(record.path("Timestamp").decimalValue())
        .isEqualByComparingTo(new BigDecimal("1795665600.123"));
    assertThat(sent.json().path("ProductCode").asText()).isEqualTo("prod-ours");
    assertThat(sent.target()).isEqualTo("AWSMPMeteringService.BatchMeterUsage");
    assertThat(header(sent, "Content-Length")).isEqualTo(Integer.toString(sent.body().length));
    assertThat(edits).hasValue(1);
    assertThat(header(sent, "Authorization"))
        .isEqualTo(expectedSignature(sent, sent.body()))
        .isNotEqualTo(expectedSignature(sent, "{}".getBytes(StandardCharsets.UTF_8)));
    // The SDK still reads its own model; the raw results are in the Call.
    assertThat(response.results()).singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(UsageRecordResultStatus.SUCCESS));
    assertThat(call.responseBody().path("Results").get(0).path("UsageRecord").path("LicenseArn")
        .asText()).isEqualTo(LICENSE);
  }

  @Test
  void anEditThatFailsFailsTheCallBeforeAnythingIsSent() {
    int before = canned.received.size();
    MeteringWireExtensions.Call call =
        MeteringWireExtensions.Call.editingRequest(
            body -> {
              throw new IllegalArgumentException("no license for record 0");
            });

    Throwable failure = catchThrowable(() -> resolveWith(call));

    assertThat(failure).hasStackTraceContaining("no license for record 0");
    assertThat(canned.received).hasSize(before);
  }

  // ---- the interceptor on its own

  @Nested
  class Alone {
    final MeteringWireExtensions interceptor = new MeteringWireExtensions();

    @Test
    void withoutACallTheBodyStreamIsReturnedAsItIs() {
      InputStream stream = new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8));
      InterceptorContext context = responseContext(200, stream);

      Optional<InputStream> body =
          interceptor.modifyHttpResponseContent(context, new ExecutionAttributes());

      assertThat(body).containsSame(stream);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {
          "{\"CustomerAWSAccountId\":\"111122223333\",\"ProductCode\":\"p\",\"LicenseArn\":\"a\"}",
          "{\"CustomerIdentifier\":\"c\",\"CustomerAWSAccountId\":\"111122223333\"}",
          "{\"__type\":\"InvalidLicenseException\",\"message\":\"m\"}",
          "{\"Extra\":{\"deep\":[{}]},\"LicenseArn\":\"a\",\"Big\":1e400,\"Exact\":0.10}",
          "<html>502 Bad Gateway</html>",
          "",
        })
    void withACallTheSdkGetsTheSameBytes(String raw) throws IOException {
      byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
      MeteringWireExtensions.Call call = MeteringWireExtensions.Call.readingResponse();
      ExecutionAttributes attributes = new ExecutionAttributes();
      attributes.putAttribute(MeteringWireExtensions.CALL, call);

      Optional<InputStream> body =
          interceptor.modifyHttpResponseContent(
              responseContext(raw.contains("__type") ? 400 : 200, new ByteArrayInputStream(bytes)),
              attributes);

      assertThat(body).isPresent();
      assertThat(body.get().readAllBytes()).isEqualTo(bytes);
      assertThat(call.answered()).isTrue();
      assertThat(call.licenseArn()).isEqualTo(raw.contains("\"LicenseArn\":\"a\"") ? "a" : null);
      assertThat(call.errorType())
          .isEqualTo(raw.contains("__type") ? "InvalidLicenseException" : null);
    }

    @Test
    void withACallAMissingBodyStaysMissing() {
      MeteringWireExtensions.Call call = MeteringWireExtensions.Call.readingResponse();
      ExecutionAttributes attributes = new ExecutionAttributes();
      attributes.putAttribute(MeteringWireExtensions.CALL, call);

      Optional<InputStream> body =
          interceptor.modifyHttpResponseContent(responseContext(200, null), attributes);

      assertThat(body).isEmpty();
      assertThat(call.answered()).isTrue();
      assertThat(call.responseBody().isMissingNode()).isTrue();
    }

    InterceptorContext responseContext(int status, InputStream body) {
      SdkHttpRequest request =
          SdkHttpRequest.builder()
              .method(SdkHttpMethod.POST)
              .uri(URI.create("http://127.0.0.1/"))
              .build();
      return InterceptorContext.builder()
          .request(ResolveCustomerRequest.builder().registrationToken("t").build())
          .httpRequest(request)
          .httpResponse(SdkHttpResponse.builder().statusCode(status).build())
          .responseBody(body)
          .build();
    }
  }

  // ---- against the Metering stand-in, as the activity uses it

  @Nested
  class AgainstTheStandIn {
    MeteringStandIn standIn;
    MarketplaceMeteringClient client;

    @BeforeEach
    void start() {
      standIn = new MeteringStandIn("prod-ours").start(0);
      client = MeteringClients.create(env(standIn.endpoint()));
    }

    @AfterEach
    void stop() {
      client.close();
      standIn.close();
    }

    @Test
    void aCurrentModelTokenGivesAccountProductAndLicenseArn_noIdentifier() {
      String token = MeteringStandIn.newDemoToken(ACCOUNT);

      MeteringWireExtensions.ResolvedOnTheWire resolved =
          MeteringWireExtensions.resolveCustomer(client, token);

      assertThat(resolved.response().customerAWSAccountId()).isEqualTo(ACCOUNT);
      assertThat(resolved.response().productCode()).isEqualTo("prod-ours");
      assertThat(resolved.response().customerIdentifier()).isNull();
      assertThat(resolved.licenseArn())
          .matches(LICENSE_ARN)
          .isEqualTo(MeteringStandIn.demoLicenseArn(token));
      MeteringCall wire = standIn.calls("ResolveCustomer").get(0);
      assertThat(wire.response().path("LicenseArn").asText()).isEqualTo(resolved.licenseArn());
    }

    @Test
    void aLegacyTokenGivesTheIdentifier_noLicenseArn() {
      MeteringWireExtensions.ResolvedOnTheWire resolved =
          MeteringWireExtensions.resolveCustomer(client, MeteringStandIn.newLegacyToken(ACCOUNT));

      assertThat(resolved.response().customerIdentifier())
          .isEqualTo(MeteringStandIn.demoCustomerIdentifier(ACCOUNT));
      assertThat(resolved.response().customerAWSAccountId()).isEqualTo(ACCOUNT);
      assertThat(resolved.licenseArn()).isNull();
    }

    @Test
    void twoAgreementsOfOneAccountHaveTwoLicenses() {
      String first =
          MeteringWireExtensions.resolveCustomer(client, MeteringStandIn.newDemoToken(ACCOUNT))
              .licenseArn();
      String second =
          MeteringWireExtensions.resolveCustomer(client, MeteringStandIn.newDemoToken(ACCOUNT))
              .licenseArn();

      assertThat(first).isNotEqualTo(second);
      assertThat(List.of(first, second)).allSatisfy(arn -> assertThat(arn).matches(LICENSE_ARN));
    }

    @Test
    void batchMeterUsageRecordsGoOutByAccountAndLicenseAndTheAnswerIsReadRaw() {
      String license = MeteringStandIn.licenseArn("wire-" + ACCOUNT);
      Instant hour = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
      // Even a record the SDK was given a CustomerIdentifier for goes out by account only.
      MeteringWireExtensions.Call call =
          MeteringWireExtensions.batchMeterUsageCall(
              List.of(
                  new MeteringWireExtensions.RecordIdentity(ACCOUNT, license),
                  new MeteringWireExtensions.RecordIdentity("444455556666", null)));

      BatchMeterUsageResponse response =
          client.batchMeterUsage(
              r ->
                  r.productCode("prod-ours")
                      .usageRecords(
                          UsageRecord.builder().customerIdentifier("cust-x").dimension("d")
                              .quantity(2).timestamp(hour).build(),
                          UsageRecord.builder().customerAWSAccountId("444455556666")
                              .dimension("d").quantity(3).timestamp(hour).build())
                      .overrideConfiguration(call::attach));

      JsonNode sent = standIn.calls("BatchMeterUsage").get(0).request().path("UsageRecords");
      assertThat(sent.get(0).path("CustomerAWSAccountId").asText()).isEqualTo(ACCOUNT);
      assertThat(sent.get(0).path("LicenseArn").asText()).isEqualTo(license);
      assertThat(sent.get(0).has("CustomerIdentifier")).isFalse();
      assertThat(sent.get(1).has("LicenseArn")).isFalse();
      assertThat(response.results()).hasSize(2);
      // The SDK model drops the result's LicenseArn; the raw answer keeps it.
      assertThat(call.responseBody().path("Results").get(0).path("UsageRecord")
              .path("LicenseArn").asText())
          .isEqualTo(license);
    }

    @Test
    void aPoisonedLicenseIsAnInvalidLicenseExceptionReadOnTheWire() {
      String license = MeteringStandIn.licenseArn("poisoned-" + ACCOUNT);
      standIn.poisonLicense(license);
      MeteringWireExtensions.Call call =
          MeteringWireExtensions.batchMeterUsageCall(
              List.of(new MeteringWireExtensions.RecordIdentity(ACCOUNT, license)));

      Throwable failure =
          catchThrowable(
              () ->
                  client.batchMeterUsage(
                      r ->
                          r.productCode("prod-ours")
                              .usageRecords(
                                  UsageRecord.builder().customerAWSAccountId(ACCOUNT)
                                      .dimension("d").quantity(1).timestamp(Instant.now())
                                      .build())
                              .overrideConfiguration(call::attach)));

      assertThat(failure).isInstanceOf(MarketplaceMeteringException.class);
      assertThat(call.statusCode()).isEqualTo(400);
      assertThat(call.errorType()).isEqualTo("InvalidLicenseException");
    }

    @Test
    void aCallWhoseRecordsDoNotMatchItsIdentitiesIsNeverSent() {
      MeteringWireExtensions.Call call =
          MeteringWireExtensions.batchMeterUsageCall(
              List.of(new MeteringWireExtensions.RecordIdentity(ACCOUNT, null),
                  new MeteringWireExtensions.RecordIdentity(ACCOUNT, null)));

      Throwable failure =
          catchThrowable(
              () ->
                  client.batchMeterUsage(
                      r ->
                          r.productCode("prod-ours")
                              .usageRecords(
                                  UsageRecord.builder().customerAWSAccountId(ACCOUNT)
                                      .dimension("d").quantity(1).timestamp(Instant.now())
                                      .build())
                              .overrideConfiguration(call::attach)));

      assertThat(failure).hasStackTraceContaining("UsageRecords for 2 identities");
      assertThat(standIn.calls("BatchMeterUsage")).isEmpty();
    }
  }

  // ---- helpers

  private static ResolveCustomerResponse resolveWith(MeteringWireExtensions.Call call) {
    return extended.resolveCustomer(
        r -> r.registrationToken("t").overrideConfiguration(call::attach));
  }

  private static ResolveCustomerResponse resolveWithoutTheInterceptor() {
    return plain.resolveCustomer(r -> r.registrationToken("t"));
  }

  private static void assertSameModel(ResolveCustomerResponse one, ResolveCustomerResponse two) {
    assertThat(
            Arrays.asList(one.customerAWSAccountId(), one.productCode(), one.customerIdentifier()))
        .isEqualTo(
            Arrays.asList(two.customerAWSAccountId(), two.productCode(), two.customerIdentifier()));
  }

  private static void assertSameFailure(
      int status, String body, Class<? extends AwsServiceException> type, String errorType) {
    canned.reply(status, body);
    MeteringWireExtensions.Call call = MeteringWireExtensions.Call.readingResponse();

    Throwable extendedFailure = catchThrowable(() -> resolveWith(call));
    Throwable plainFailure = catchThrowable(() -> resolveWithoutTheInterceptor());

    for (Throwable failure : List.of(extendedFailure, plainFailure)) {
      assertThat(failure)
          .isExactlyInstanceOf(type)
          .isInstanceOfSatisfying(
              AwsServiceException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(status);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo(errorType);
              });
    }
    assertThat(extendedFailure).hasMessage(plainFailure.getMessage());
    assertThat(call.errorType()).isEqualTo(errorType);
    assertThat(call.statusCode()).isEqualTo(status);
    assertThat(call.responseText("message")).isNotBlank();
  }

  private static String header(CannedServer.Received sent, String name) {
    return sent.headers().entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().get(0))
        .findFirst()
        .orElse(null);
  }

  /** SigV4 over what the server received: equal only if the edited body is what was signed. */
  private static String expectedSignature(CannedServer.Received sent, byte[] body) {
    String authorization = header(sent, "Authorization");
    String signedHeaders = authorization.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
    SdkHttpFullRequest.Builder request =
        SdkHttpFullRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(canned.endpoint().resolve("/"));
    for (String name : signedHeaders.split(";")) {
      request.putHeader(name, header(sent, name));
    }
    Instant signedAt =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX")
            .parse(header(sent, "X-Amz-Date"), Instant::from);
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.request(request.build())
                        .payload(() -> new ByteArrayInputStream(body))
                        .identity(AwsCredentialsIdentity.create("test", "test"))
                        .putProperty(
                            AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName(authorization))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(
                            HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
    return signed.request().firstMatchingHeader("Authorization").orElseThrow();
  }

  /** The service in {@code Credential=<key>/<date>/<region>/<service>/aws4_request}. */
  private static String signingName(String authorization) {
    return authorization.replaceAll(".*Credential=([^,]+),.*", "$1").split("/")[3];
  }
}
