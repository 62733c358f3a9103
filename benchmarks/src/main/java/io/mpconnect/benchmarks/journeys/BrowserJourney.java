package io.mpconnect.benchmarks.journeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.standins.metering.MeteringStandIn;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * One customer's whole journey over HTTP, as a browser makes it: "Set up your account" (POST the
 * token, 303), sign in (the api's login redirect, the provider's login form, the callback),
 * the view for the CSRF token, connect a new organization, and the view until it says CONNECTED
 * (AWS's subscribe-success arrives through the local queue meanwhile, as in the developer mode).
 */
final class BrowserJourney {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration DEADLINE = Duration.ofMinutes(5);

  private final String base;
  private final HttpClient http;
  private final String account;
  private String onboardingId;
  /** Nanoseconds per step of the last journey: register, sign in, page ready, connect, confirmed. */
  final long[] steps = new long[7];
  static final String[] STEP_NAMES =
      {"register (POST -> 303)", "sign in, whole (login, provider, callback)",
          "organizations listed (view polls)", "connect (POST -> 200/202)",
          "confirmed (view polls until CONNECTED)",
          "  of sign in: the provider's login form (stand-in)",
          "  of sign in: callback (token exchange, ID token check, Update)"};

  BrowserJourney(String base, Executor executor) {
    this.base = base;
    HttpClient.Builder builder = HttpClient.newBuilder()
        .cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10));
    if (executor != null) {
      builder.executor(executor);
    }
    this.http = builder.build();
    this.account = String.format("%012d",
        ThreadLocalRandom.current().nextLong(100_000_000_000L, 999_999_999_999L));
  }

  String workflowId() {
    return "onboarding-" + onboardingId;
  }

  String subscriptionWorkflowId(String productCode) {
    return io.mpconnect.workflows.subscription.SubscriptionIds.workflowId(productCode,
        io.mpconnect.workflows.subscription.SubscriptionIds.customerKey(
            MeteringStandIn.demoCustomerIdentifier(account), account));
  }

  /** POST to 303; returns the nanoseconds it took. */
  long register() throws IOException, InterruptedException {
    long started = System.nanoTime();
    HttpResponse<String> response = post("/marketplace/aws/register",
        "x-amzn-marketplace-token=" + URLEncoder.encode(
            MeteringStandIn.newDemoToken(account), StandardCharsets.UTF_8),
        "application/x-www-form-urlencoded", Map.of());
    long took = System.nanoTime() - started;
    steps[0] = took;
    expect(response, 303, "register");
    String location = response.headers().firstValue("Location").orElseThrow();
    onboardingId = location.substring(location.lastIndexOf('/') + 1);
    return took;
  }

  void signIn() throws IOException, InterruptedException {
    long started = System.nanoTime();
    HttpResponse<String> login = get("/auth/dev/login?onboarding=" + onboardingId);
    expect(login, 302, "login");
    String authorize = login.headers().firstValue("Location").orElseThrow();
    String email = "bench-" + account + "@example.com";
    long provider = System.nanoTime();
    HttpResponse<String> posted = send(HttpRequest.newBuilder(URI.create(authorize))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("username", email, "claims",
            "{\"email\":\"" + email + "\",\"email_verified\":true,\"name\":\"Bench " + account
                + "\"}")))));
    expect(posted, 302, "provider login");
    steps[5] = System.nanoTime() - provider;
    long callbackStarted = System.nanoTime();
    HttpResponse<String> callback = send(HttpRequest.newBuilder(
        URI.create(posted.headers().firstValue("Location").orElseThrow())).GET());
    expect(callback, 303, "callback");
    steps[6] = System.nanoTime() - callbackStarted;
    steps[1] = System.nanoTime() - started;
  }

  void connectNewOrganization() throws IOException, InterruptedException {
    long started = System.nanoTime();
    JsonNode view = awaitView(v -> "AWAITING_ORGANIZATION".equals(v.path("step").asText()));
    steps[2] = System.nanoTime() - started;
    started = System.nanoTime();
    HttpResponse<String> response = post("/api/onboardings/" + onboardingId + "/connect",
        "{\"newOrganizationName\":\"Bench " + account + "\"}", "application/json",
        Map.of("X-CSRF-Token", view.path("csrfToken").asText()));
    if (response.statusCode() != 200 && response.statusCode() != 202) {
      throw new IllegalStateException("connect answered " + response.statusCode() + ": "
          + response.body());
    }
    steps[3] = System.nanoTime() - started;
  }

  void awaitConnected() throws IOException, InterruptedException {
    long started = System.nanoTime();
    JsonNode view = awaitView(v -> !v.path("outcome").isNull() && v.has("outcome"));
    steps[4] = System.nanoTime() - started;
    if (!"CONNECTED".equals(view.path("outcome").asText())) {
      throw new IllegalStateException("the journey ended " + view.path("outcome").asText());
    }
  }

  private JsonNode awaitView(java.util.function.Predicate<JsonNode> done)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      HttpResponse<String> response = get("/api/onboardings/" + onboardingId);
      if (response.statusCode() == 200) {
        JsonNode view = JSON.readTree(response.body());
        if (done.test(view)) {
          return view;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("onboarding " + onboardingId + " stuck: " + response.body());
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  private HttpResponse<String> post(String path, String body, String type,
      Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(request);
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void expect(HttpResponse<String> response, int status, String step) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(step + " answered " + response.statusCode() + " instead of "
          + status + ": " + response.body().substring(0, Math.min(300, response.body().length())));
    }
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
