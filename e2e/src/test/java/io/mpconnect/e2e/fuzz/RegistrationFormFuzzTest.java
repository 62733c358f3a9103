package io.mpconnect.e2e.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.api.enums.v1.EventType;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fulfillment URL ({@code POST /marketplace/aws/register}) against malformed, oversized,
 * wrongly encoded and hostile bodies, on the live product: each gets a clear answer (a 400 page
 * saying what to do, or 413), never a 5xx or a stack trace; nothing is half-written (no workflow
 * for a refused body, no customer row for an invalid token); nothing loops (a hostile token that
 * looks like a token is resolved once, ends INVALID_TOKEN and its workflow closes).
 */
@ExtendWith(FuzzEnvironment.Resolver.class)
class RegistrationFormFuzzTest {
  static final String PATH = "/marketplace/aws/register";
  static final String FORM = "application/x-www-form-urlencoded";
  static final String FIELD = "x-amzn-marketplace-token=";
  static final Pattern STACK_TRACE = Pattern.compile(
      "\\bat [\\w$.]+\\([\\w$]+\\.java:\\d+\\)|\\w+(Exception|Error)\\b|Caused by");
  static final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  static FuzzEnvironment env;
  static long customersBefore;
  static final List<String> acceptedHostileTokens = new ArrayList<>();

  @BeforeAll
  static void start(FuzzEnvironment environment) {
    env = environment;
    customersBefore = customers();
  }

  /** name, content type (null: none), body, the one status expected. */
  static Stream<Arguments> hostileBodies() {
    String script = "<script>alert(1)</script>";
    return Stream.of(
        // malformed
        Arguments.of("no equals sign", FORM, bytes("x-amzn-marketplace-token"), 400),
        Arguments.of("only separators", FORM, bytes("&&&=&="), 400),
        Arguments.of("truncated escape", FORM, bytes(FIELD + "abc%4"), 400),
        Arguments.of("non-hex escape", FORM, bytes(FIELD + "abc%ZZ"), 400),
        Arguments.of("lone percent", FORM, bytes(FIELD + "%"), 400),
        Arguments.of("empty body", FORM, new byte[0], 400),
        Arguments.of("first field empty, second valid", FORM,
            bytes(FIELD + "&" + FIELD + "looks-valid-token-1234567890"), 400),
        // wrongly encoded
        Arguments.of("invalid UTF-8 escape", FORM, bytes(FIELD + "abc%FFdef"), 400),
        Arguments.of("overlong UTF-8 slash", FORM, bytes(FIELD + "abc%C0%AFdef"), 400),
        Arguments.of("UTF-16 surrogate as UTF-8", FORM, bytes(FIELD + "abc%ED%A0%80def"), 400),
        Arguments.of("raw Latin-1 byte", FORM,
            concat(bytes(FIELD + "ab"), new byte[] {(byte) 0xE9}, bytes("cd")), 400),
        Arguments.of("UTF-16 body", FORM, (FIELD + "abcdef").getBytes(StandardCharsets.UTF_16), 400),
        Arguments.of("non-ASCII token", FORM, bytes(FIELD + "t%C3%B6ken"), 400),
        Arguments.of("NUL in token", FORM, bytes(FIELD + "abc%00def"), 400),
        Arguments.of("space in token (an unencoded +)", FORM, bytes(FIELD + "abc+def"), 400),
        // hostile
        Arguments.of("CRLF header injection", FORM,
            bytes(FIELD + "abc%0D%0ASet-Cookie:%20hacked=1"), 400),
        Arguments.of("JSON instead of a form", "application/json",
            bytes("{\"x-amzn-marketplace-token\":\"abc\"}"), 400),
        Arguments.of("multipart instead of a form", "multipart/form-data; boundary=x",
            bytes("--x\r\nContent-Disposition: form-data; name=\"x-amzn-marketplace-token\"\r\n\r\n"
                + "abc\r\n--x--\r\n"), 400),
        Arguments.of("text/plain", "text/plain", bytes(FIELD + "abc"), 400),
        Arguments.of("no content type", null, bytes(FIELD + "abc"), 400),
        Arguments.of("script in the offer type only", FORM,
            bytes("x-amzn-marketplace-offer-type=" + script), 400),
        // oversized
        Arguments.of("token of 4097 characters", FORM, bytes(FIELD + "A".repeat(4097)), 400),
        Arguments.of("token of 4097 characters percent-encoded (12 KB)", FORM,
            bytes(FIELD + "%41".repeat(4097)), 400),
        Arguments.of("3,000 fields under the size limit", FORM, bytes("a=1&".repeat(3000)), 400),
        Arguments.of("body of 20 KB", FORM, bytes(FIELD + "A".repeat(20 * 1024)), 413),
        Arguments.of("10,000 fields", FORM, bytes("a=1&".repeat(10_000)), 413),
        Arguments.of("body of 1 MB", FORM, bytes(FIELD + "A".repeat(1024 * 1024)), 413));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileBodies")
  void eachHostileBodyGetsAClearAnswerAndStartsNothing(String name, String contentType,
      byte[] body, int expected) throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> response = post(contentType, body);
    long millis = (System.nanoTime() - started) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(expected);
    assertThat(millis).as("answered at once, nothing looped").isLessThan(5_000);
    assertClear(response);
    assertThat(response.headers().allValues("Set-Cookie"))
        .as("a refused registration sets no session").isEmpty();
    for (String token : candidateTokens(body)) {
      assertThat(env.describeOnboarding(token)).as("workflow for %s", name).isEmpty();
    }
  }

  @Test
  void aHostileTokenThatLooksLikeATokenIsResolvedOnceAndEndsInvalidWithNothingWritten()
      throws Exception {
    for (String token : List.of("<script>alert(1)</script>", "'OR'1'='1'--",
        "../../../../etc/passwd", "${jndi:ldap://127.0.0.1/a}", "%s%s%s%n", "A".repeat(4096))) {
      HttpResponse<String> response = post(FORM,
          bytes(FIELD + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8)));
      assertThat(response.statusCode()).as(token).isEqualTo(303);
      assertThat(response.headers().firstValue("Location"))
          .contains("/signup/" + OnboardingIds.fromToken(token));
      acceptedHostileTokens.add(token);
    }
    for (String token : acceptedHostileTokens) {
      String workflowId = OnboardingIds.workflowId(OnboardingIds.fromToken(token));
      awaitClosed(workflowId);
      WorkflowExecutionHistory history = env.client.fetchHistory(workflowId);
      long resolveCalls = history.getEvents().stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).count();
      int attempts = history.getEvents().stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
          .mapToInt(e -> e.getActivityTaskStartedEventAttributes().getAttempt()).max().orElse(0);
      assertThat(resolveCalls).as("activities of %s", token).isEqualTo(1);
      assertThat(attempts).as("ResolveCustomer attempts for %s", token).isEqualTo(1);
      assertThat(history.getEvents().size()).as("history of %s", token).isLessThan(40);
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(
          URI.create(env.baseUrl + "/signup/" + OnboardingIds.fromToken(token))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.body()).doesNotContain("<script>alert(1)</script>");
    }
    assertThat(customers()).as("marketplace customers written").isEqualTo(customersBefore);
  }

  @Test
  void randomBodiesNeverGetAServerErrorOrAStackTrace() throws Exception {
    long seed = Long.getLong("FUZZ_SEED", System.nanoTime());
    Random random = new Random(seed);
    byte[] alphabet = bytes("x-amzn-marketplace-token=&%+0123456789ABCDEFabcdefZ<>\"'\\/;:{}[]\r\n\t ");
    int[] counts = new int[600];
    for (int i = 0; i < 300; i++) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (random.nextBoolean()) {
        body.writeBytes(bytes(FIELD));
      }
      int length = random.nextInt(random.nextInt(10) == 0 ? 30_000 : 200);
      for (int j = 0; j < length; j++) {
        body.write(random.nextInt(8) == 0 ? random.nextInt(256) : alphabet[random.nextInt(alphabet.length)]);
      }
      HttpResponse<String> response = post(FORM, body.toByteArray());
      counts[response.statusCode()]++;
      assertThat(response.statusCode()).as("seed %d, case %d", seed, i).isIn(303, 400, 413);
      assertClear(response);
    }
    System.out.printf("random registration bodies (seed %d): 303 x %d, 400 x %d, 413 x %d%n",
        seed, counts[303], counts[400], counts[413]);
  }

  @Test
  void aChunkedBodyWithGarbageFramingIsRefusedCleanly() throws IOException {
    String response = raw("POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + FORM
        + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZZ\r\nnot a chunk\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(STACK_TRACE.matcher(response).find()).as(response).isFalse();
  }

  @AfterAll
  static void nothingWasHalfWritten() {
    if (env != null) {
      assertThat(customers()).isEqualTo(customersBefore);
    }
  }

  // ---- helpers ----

  static void assertClear(HttpResponse<String> response) {
    assertThat(STACK_TRACE.matcher(response.body()).find())
        .as("stack trace or exception in: %s", response.body()).isFalse();
    if (response.statusCode() == 400) {
      assertThat(response.body()).contains("Set up your account").contains("Nothing was set up");
    } else if (response.statusCode() == 413) {
      assertThat(response.body()).contains("too large");
    }
  }

  static HttpResponse<String> post(String contentType, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(env.baseUrl + PATH))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  String raw(String request) throws IOException {
    URI uri = URI.create(env.baseUrl);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        in.transferTo(response);
      } catch (IOException closed) {
        // what was answered is in the buffer
      }
      return response.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Tokens a lenient parser might have read from the body: none may have a workflow. */
  static Set<String> candidateTokens(byte[] body) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(FIELD);
    if (at < 0 || text.length() > 10_000) {
      return Set.of();
    }
    String value = text.substring(at + FIELD.length()).split("&", -1)[0];
    String decoded;
    try {
      decoded = java.net.URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = value;
    }
    return new java.util.HashSet<>(List.of(value, decoded, decoded.strip()));
  }

  static long customers() {
    return env.database.jdbi().withHandle(h ->
        h.createQuery("select count(*) from marketplace_customers").mapTo(Long.class).one());
  }

  static void awaitClosed(String workflowId) throws InterruptedException {
    for (int i = 0; i < 150; i++) {
      if (env.describe(workflowId).map(FuzzEnvironment::isClosed).orElse(false)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(workflowId + " did not close within 30 s");
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
