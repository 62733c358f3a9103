package io.mpconnect.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.TestTemporal;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One test per abuse limit, against the real api on Temporal's in-process server (no worker: a
 * started onboarding just waits, which is all these tests look at): oversized bodies (413, also
 * chunked ones), per-client rate limits (429 with Retry-After), and the token flood (a bounded
 * number of workflows, checked by describing each one on the server).
 */
class AbuseLimitsTest {
  static final String TASK_QUEUE = "abuse-limits-test";
  static final SecureRandom random = new SecureRandom();
  static TestWorkflowEnvironment temporal;
  ApiServer api;
  String base;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.withSearchAttributes();
    temporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @AfterEach
  void stopApi() {
    if (api != null) {
      api.stop();
    }
  }

  // ---- request size ----

  @Test
  void givenARegistrationOverItsBodyLimit_itAnswers413AndStartsNothing() throws Exception {
    start(Map.of());
    String token = token();
    String body = form("x-amzn-marketplace-token", token) + "&padding=" + "A".repeat(17 * 1024);

    HttpResponse<String> response = post("/marketplace/aws/register", body,
        "application/x-www-form-urlencoded", "198.51.100.10", client());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("too large").doesNotContain("Exception");
    assertThat(exists(token)).isFalse();
  }

  @Test
  void givenAJsonBodyOverTheConnectLimit_itAnswersA413InJson() throws Exception {
    start(Map.of());
    String body = "{\"newOrganizationName\":\"" + "x".repeat(5 * 1024) + "\"}";

    HttpResponse<String> response = post("/api/onboardings/" + "0".repeat(32) + "/connect", body,
        "application/json", "198.51.100.11", client());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(response.body()).isEqualTo("{\"message\":\"The request is too large.\"}");
  }

  @Test
  void givenAChunkedBodyWithNoLengthOverTheLimit_itIsCutOffAt413() throws Exception {
    start(Map.of());
    String token = token();
    // 64 KB in chunks, no Content-Length: Javalin alone would read it whole whatever its size.
    String response = rawChunkedPost("/marketplace/aws/register",
        form("x-amzn-marketplace-token", token) + "&padding=" + "A".repeat(64 * 1024));

    assertThat(response).startsWith("HTTP/1.1 413");
    assertThat(exists(token)).isFalse();
  }

  @Test
  void givenAChunkedBodyWithinTheLimit_itIsReadAsUsual() throws Exception {
    start(Map.of());
    String token = token();

    String response = rawChunkedPost("/marketplace/aws/register",
        form("x-amzn-marketplace-token", token));

    assertThat(response).startsWith("HTTP/1.1 303");
    assertThat(response).contains("Location: /signup/" + OnboardingIds.fromToken(token));
    assertThat(exists(token)).isTrue();
  }

  @Test
  void givenAFullUsageBatchOfAbout100Kilobytes_itIsNotRefusedForItsSize() throws Exception {
    start(Map.of("USAGE_TOKEN", "usage-token"));
    StringBuilder records = new StringBuilder("{\"records\":[");
    for (int i = 0; i < 500; i++) {
      records.append(i == 0 ? "" : ",").append("{\"organizationId\":\"8c1f0000-0000-4000-8000-")
          .append(String.format("%012d", i)).append("\",\"dimension\":\"api_calls\",\"quantity\":1,")
          .append("\"timestamp\":\"2026-11-26T04:00:00Z\",\"idempotencyKey\":\"evt-").append(i)
          .append("-").append("k".repeat(60)).append("\"}");
    }
    String body = records.append("]}").toString();
    assertThat(body.length()).isGreaterThan(64 * 1024);

    HttpResponse<String> response = post("/api/usage", body, "application/json",
        "198.51.100.12", client());

    // Stopped by the missing token, not by its size.
    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void givenARequestJettyRefusesItself_theAnswerNamesNoExceptionClass() throws Exception {
    start(Map.of());
    String controlCharacterInACookie = raw("GET /api/onboardings/" + "0".repeat(32)
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: mpc_session=\u0001\r\nConnection: close\r\n\r\n");
    String headersTooLarge = raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
        + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n");

    assertThat(controlCharacterInACookie).startsWith("HTTP/1.1 400");
    assertThat(headersTooLarge).startsWith("HTTP/1.1 431");
    for (String response : List.of(controlCharacterInACookie, headersTooLarge)) {
      assertThat(response).doesNotContain("Exception").doesNotContain("org.eclipse")
          .contains("Something went wrong");
    }
  }

  // ---- per-client rate limits ----

  @Test
  void givenOneClientRegisteringTooOften_itGets429WithRetryAfterWhileOthersStillPass()
      throws Exception {
    start(Map.of("RATE_LIMIT_REGISTER_BURST", "3", "RATE_LIMIT_REGISTER_PER_MINUTE", "6"));
    HttpClient browser = client();
    String missingToken = form("x-amzn-marketplace-offer-type", "free-trial");

    for (int i = 0; i < 3; i++) {
      assertThat(post("/marketplace/aws/register", missingToken,
          "application/x-www-form-urlencoded", "203.0.113.1", browser).statusCode()).isEqualTo(400);
    }
    String token = token();
    HttpResponse<String> limited = post("/marketplace/aws/register",
        form("x-amzn-marketplace-token", token), "application/x-www-form-urlencoded",
        "203.0.113.1", browser);

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After").map(Integer::parseInt))
        .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1, 10));
    assertThat(limited.body()).contains("Too many").doesNotContain("Exception");
    assertThat(exists(token)).isFalse();
    assertThat(post("/marketplace/aws/register", form("x-amzn-marketplace-token", token),
        "application/x-www-form-urlencoded", "203.0.113.2", client()).statusCode())
        .isEqualTo(303);
  }

  @Test
  void givenOneClientSigningInTooOften_itGets429WithRetryAfter() throws Exception {
    start(Map.of("RATE_LIMIT_AUTH_BURST", "2", "RATE_LIMIT_AUTH_PER_MINUTE", "2"));
    HttpClient browser = client();

    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 3; i++) {
      last = get("/auth/dev/login?next=/organizations", "203.0.113.3", browser);
      statuses.add(last.statusCode());
    }

    // The provider is down in this test (503): the point is that the third is not even tried.
    assertThat(statuses.subList(0, 2)).doesNotContain(429);
    assertThat(statuses.get(2)).isEqualTo(429);
    assertThat(last.headers().firstValue("Retry-After").map(Integer::parseInt))
        .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1, 30));
  }

  // ---- the token flood ----

  @Test
  void givenAFloodOfDistinctTokensFromManyClients_onlyTheBudgetOfWorkflowsIsStarted()
      throws Exception {
    start(Map.of("ONBOARDING_STARTS_PER_SECOND", "2", "ONBOARDING_STARTS_BURST", "5"));
    List<String> tokens = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    List<String> retryAfter = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      String token = token();
      tokens.add(token);
      // Every request from another address: the per-client limit does not apply, the budget does.
      HttpResponse<String> response = post("/marketplace/aws/register",
          form("x-amzn-marketplace-token", token), "application/x-www-form-urlencoded",
          "192.0.2." + (i + 1), client());
      statuses.add(response.statusCode());
      response.headers().firstValue("Retry-After").ifPresent(retryAfter::add);
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    long accepted = statuses.stream().filter(s -> s == 303).count();
    long deferred = statuses.stream().filter(s -> s == 503).count();
    assertThat(accepted + deferred).isEqualTo(40);
    assertThat(accepted).isBetween(5L, (long) Math.floor(5 + 2 * seconds) + 1);
    assertThat(retryAfter).hasSize((int) deferred).allSatisfy(
        value -> assertThat(Integer.parseInt(value)).isPositive());
    // On the server: exactly the accepted tokens have a workflow.
    int workflows = 0;
    for (int i = 0; i < tokens.size(); i++) {
      boolean exists = exists(tokens.get(i));
      assertThat(exists).as("workflow of token %d (answered %d)", i, statuses.get(i))
          .isEqualTo(statuses.get(i) == 303);
      workflows += exists ? 1 : 0;
    }
    assertThat(workflows).isEqualTo((int) accepted);
  }

  @Test
  void givenTheBudgetIsSpent_aBrowserRefreshingItsOwnOnboardingIsStillLetThrough()
      throws Exception {
    start(Map.of("ONBOARDING_STARTS_PER_SECOND", "0.01", "ONBOARDING_STARTS_BURST", "1"));
    HttpClient customer = client();
    String token = token();
    String registration = form("x-amzn-marketplace-token", token);
    assertThat(post("/marketplace/aws/register", registration,
        "application/x-www-form-urlencoded", "192.0.2.100", customer).statusCode()).isEqualTo(303);
    HttpResponse<String> stranger = post("/marketplace/aws/register",
        form("x-amzn-marketplace-token", token()), "application/x-www-form-urlencoded",
        "192.0.2.101", client());
    assertThat(stranger.statusCode()).isEqualTo(503);
    assertThat(stranger.body()).contains("Try again").doesNotContain("Exception");

    HttpResponse<String> refresh = post("/marketplace/aws/register", registration,
        "application/x-www-form-urlencoded", "192.0.2.100", customer);

    assertThat(refresh.statusCode()).isEqualTo(303);
  }

  /**
   * The attack: once the registration's bucket is empty, post to another spelling of the route
   * (a trailing or doubled slash, another case, an encoded letter, a path parameter) for a fresh
   * one. Every spelling draws on the same bucket: 429, and no workflow.
   */
  @Test
  void givenTheRegistrationLimitIsReached_anotherSpellingOfTheRouteGetsNoFreshBucket()
      throws Exception {
    start(Map.of("RATE_LIMIT_REGISTER_BURST", "2", "RATE_LIMIT_REGISTER_PER_MINUTE", "1"));
    String missingToken = form("x-amzn-marketplace-offer-type", "free-trial");
    for (int i = 0; i < 2; i++) {
      assertThat(post("/marketplace/aws/register", missingToken,
          "application/x-www-form-urlencoded", "203.0.113.40", client()).statusCode())
          .isEqualTo(400);
    }
    for (String spelling : List.of("/marketplace/aws/register/", "//marketplace/aws/register",
        "/Marketplace/AWS/register", "/marketplace//aws/register/", "/marketplace/aws/regist%65r",
        "/marketplace/aws/register;x=1", "/MARKETPLACE/aws/register/")) {
      String token = token();
      HttpResponse<String> response = post(spelling, form("x-amzn-marketplace-token", token),
          "application/x-www-form-urlencoded", "203.0.113.40", client());
      assertThat(response.statusCode()).as(spelling).isEqualTo(429);
      assertThat(response.headers().firstValue("Retry-After")).as(spelling).isPresent();
      assertThat(exists(token)).as(spelling).isFalse();
    }
    // The registration's body limit (16 KB) also holds under another spelling.
    assertThat(post("/marketplace/aws/register/", "x-amzn-marketplace-token=" + "A".repeat(
        20 * 1024), "application/x-www-form-urlencoded", "203.0.113.41", client()).statusCode())
        .isEqualTo(413);
  }

  /**
   * The attack: a script polling an onboarding's view (a Temporal query each), its page, or
   * connect (an Update each) in a tight loop. It is limited per session: 429 with Retry-After
   * once its bucket is empty, under any spelling, while another browser on the same network
   * still passes.
   */
  @Test
  void givenOneSessionPollingItsOnboardingInATightLoop_itGets429WhileOtherSessionsPass()
      throws Exception {
    start(Map.of("RATE_LIMIT_ONBOARDING_BURST", "3", "RATE_LIMIT_ONBOARDING_PER_MINUTE", "1"));
    HttpClient browser = client();
    assertThat(post("/marketplace/aws/register", form("x-amzn-marketplace-token", token()),
        "application/x-www-form-urlencoded", "203.0.113.50", browser).statusCode())
        .isEqualTo(303);
    // An onboarding this session does not name: 404 at once, no Temporal call to wait for.
    String other = "/api/onboardings/" + "0".repeat(32);
    for (int i = 0; i < 3; i++) {
      assertThat(get(other, "203.0.113.50", browser).statusCode()).isEqualTo(404);
    }
    HttpResponse<String> limited = get(other, "203.0.113.50", browser);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After").map(Integer::parseInt))
        .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1, 60));
    assertThat(limited.body()).contains("Too many requests from this browser");
    assertThat(get("/API/Onboardings/" + "0".repeat(32) + "/", "203.0.113.50", browser)
        .statusCode()).isEqualTo(429);
    assertThat(get("/signup/" + "0".repeat(32), "203.0.113.50", browser).statusCode())
        .isEqualTo(429);
    assertThat(post(other + "/connect", "{}", "application/json", "203.0.113.50", browser)
        .statusCode()).isEqualTo(429);

    HttpClient neighbour = client();
    assertThat(post("/marketplace/aws/register", form("x-amzn-marketplace-token", token()),
        "application/x-www-form-urlencoded", "203.0.113.50", neighbour).statusCode())
        .isEqualTo(303);
    assertThat(get(other, "203.0.113.50", neighbour).statusCode()).isEqualTo(404);
  }

  /**
   * The attack: a stranger reads /metrics (route names, request counts, the JVM's memory) to
   * time and aim a flood. With METRICS_TOKEN set it needs that bearer token.
   */
  @Test
  void givenMetricsTokenIsSet_scrapingMetricsWithoutItIs401() throws Exception {
    start(Map.of("METRICS_TOKEN", "metrics-token-for-the-abuse-limits-test"));

    HttpResponse<String> stranger = get("/metrics", "203.0.113.60", client());
    assertThat(stranger.statusCode()).isEqualTo(401);
    assertThat(stranger.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(stranger.body()).doesNotContain("jvm_");
    HttpResponse<String> scraper = client().send(HttpRequest.newBuilder(URI.create(base
            + "/metrics"))
        .header("Authorization", "Bearer metrics-token-for-the-abuse-limits-test").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(scraper.statusCode()).isEqualTo(200);
    assertThat(scraper.body()).contains("jvm_memory_used_bytes");
  }

  @Test
  void givenAClientIpHeaderWithoutTrustedProxies_theApiRefusesToStart() {
    Map<String, String> env = Map.of("RATE_LIMIT_CLIENT_IP_HEADER", "X-Forwarded-For");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LimitSettings.from(new Env(env)))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("RATE_LIMIT_CLIENT_IP_HEADER")
        .hasMessageContaining("TRUSTED_PROXIES");
  }

  // ---- helpers ----

  void start(Map<String, String> extra) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(Map.of(
        "API_HOST", "127.0.0.1",
        "API_PORT", Integer.toString(port),
        "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
        "SESSION_SECRET", "abuse-limits-test-secret-0123456789abcdef",
        "PAYLOAD_KEYS", PayloadKeys.newKeySetting("test"),
        "OIDC_PROVIDERS", "dev",
        "OIDC_DEV_ISSUER", "http://127.0.0.1:1/dev",
        "OIDC_DEV_CLIENT_ID", "client",
        "RATE_LIMIT_CLIENT_IP_HEADER", "X-Forwarded-For",
        // The tests are the proxy: they name the client in X-Forwarded-For.
        "TRUSTED_PROXIES", "127.0.0.1,::1"));
    env.putAll(extra);
    api = new ApiServer(ApiSettings.from(new Env(env)), temporal.getWorkflowClient()).start();
  }

  static HttpClient client() {
    return HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  HttpResponse<String> post(String path, String body, String contentType, String clientIp,
      HttpClient client) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", contentType)
        .header("X-Forwarded-For", "10.9.9.9, " + clientIp)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String clientIp, HttpClient client)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("X-Forwarded-For", clientIp).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends bytes as they are over a plain socket; returns the whole response. */
  String raw(String request) throws IOException {
    URI uri = URI.create(base);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(response);
      } catch (IOException closed) {
        // what was answered is in the buffer
      }
      return response.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** A POST with Transfer-Encoding: chunked over a plain socket; returns the whole response. */
  String rawChunkedPost(String path, String body) throws IOException {
    URI uri = URI.create(base);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
          + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
          + "X-Forwarded-For: 192.0.2.250\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      for (int offset = 0; offset < bytes.length; offset += 4096) {
        int length = Math.min(4096, bytes.length - offset);
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes, offset, length);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        in.transferTo(response);
      } catch (IOException resetAfterTheAnswer) {
        // the server may close without reading the rest: what was answered is in the buffer
      }
      return response.toString(StandardCharsets.UTF_8);
    }
  }

  static String form(String name, String value) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String token() {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return "flood-" + HexFormat.of().formatHex(bytes);
  }

  static boolean exists(String token) {
    try {
      temporal.getWorkflowClient().getWorkflowServiceStubs().blockingStub()
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(temporal.getNamespace())
              .setExecution(WorkflowExecution.newBuilder()
                  .setWorkflowId(OnboardingIds.workflowId(OnboardingIds.fromToken(token))))
              .build());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
