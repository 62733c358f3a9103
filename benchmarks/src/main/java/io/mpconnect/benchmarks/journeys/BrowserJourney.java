package io.mpconnect.benchmarks.journeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.standins.metering.MeteringStandIn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * One customer's whole journey over HTTP, as a browser makes it: "Set up your account" (POST the
 * token, 303), sign in (the api's login redirect, the provider's login form, the callback),
 * the view for the CSRF token, connect a new organization, and the view until it says CONNECTED
 * (AWS's subscribe-success arrives through the local queue meanwhile, as in the developer mode).
 *
 * <p>The requests are blocking {@link HttpURLConnection}s on the journey's own thread, with the
 * browser's cookies kept here: {@code java.net.http.HttpClient} hands every exchange between its
 * selector thread and an executor, hops that on this 2-core machine cost the product's processes
 * CPU and added scheduling delay to every measured step (see docs/performance.md).
 */
final class BrowserJourney {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration DEADLINE = Duration.ofMinutes(5);

  private final String base;
  /** The browser's cookies, by name: everything runs on 127.0.0.1, so one jar is exact. */
  private final Map<String, String> cookies = new LinkedHashMap<>();
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

  BrowserJourney(String base) {
    this.base = base;
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
  long register() throws IOException {
    long started = System.nanoTime();
    Response response = post("/marketplace/aws/register",
        "x-amzn-marketplace-token=" + URLEncoder.encode(
            MeteringStandIn.newDemoToken(account), StandardCharsets.UTF_8),
        "application/x-www-form-urlencoded", Map.of());
    long took = System.nanoTime() - started;
    steps[0] = took;
    expect(response, 303, "register");
    String location = response.location();
    onboardingId = location.substring(location.lastIndexOf('/') + 1);
    return took;
  }

  void signIn() throws IOException {
    long started = System.nanoTime();
    Response login = get("/auth/dev/login?onboarding=" + onboardingId);
    expect(login, 302, "login");
    String authorize = login.location();
    String email = "bench-" + account + "@example.com";
    long provider = System.nanoTime();
    Response posted = send("POST", authorize, form(Map.of("username", email, "claims",
            "{\"email\":\"" + email + "\",\"email_verified\":true,\"name\":\"Bench " + account
                + "\"}")), "application/x-www-form-urlencoded", Map.of());
    expect(posted, 302, "provider login");
    steps[5] = System.nanoTime() - provider;
    long callbackStarted = System.nanoTime();
    Response callback = send("GET", posted.location(), null, null, Map.of());
    expect(callback, 303, "callback");
    steps[6] = System.nanoTime() - callbackStarted;
    steps[1] = System.nanoTime() - started;
  }

  void connectNewOrganization() throws IOException, InterruptedException {
    long started = System.nanoTime();
    JsonNode view = awaitView(v -> "AWAITING_ORGANIZATION".equals(v.path("step").asText()));
    steps[2] = System.nanoTime() - started;
    started = System.nanoTime();
    Response response = post("/api/onboardings/" + onboardingId + "/connect",
        "{\"newOrganizationName\":\"Bench " + account + "\"}", "application/json",
        Map.of("X-CSRF-Token", view.path("csrfToken").asText()));
    if (response.status() != 200 && response.status() != 202) {
      throw new IllegalStateException("connect answered " + response.status() + ": "
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
      Response response = get("/api/onboardings/" + onboardingId);
      if (response.status() == 200) {
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

  private Response get(String path) throws IOException {
    return send("GET", base + path, null, null, Map.of());
  }

  private Response post(String path, String body, String type, Map<String, String> headers)
      throws IOException {
    return send("POST", base + path, body, type, headers);
  }

  /** One exchange as a browser makes it: its cookies sent, Set-Cookie kept, no redirect followed. */
  private Response send(String method, String url, String body, String type,
      Map<String, String> headers) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
    connection.setRequestMethod(method);
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(60_000);
    if (!cookies.isEmpty()) {
      connection.setRequestProperty("Cookie", cookies.entrySet().stream()
          .map(c -> c.getKey() + "=" + c.getValue()).collect(Collectors.joining("; ")));
    }
    headers.forEach(connection::setRequestProperty);
    if (body != null) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      connection.setRequestProperty("Content-Type", type);
      connection.setDoOutput(true);
      connection.setFixedLengthStreamingMode(bytes.length);
      try (OutputStream out = connection.getOutputStream()) {
        out.write(bytes);
      }
    }
    int status = connection.getResponseCode();
    keepCookies(connection.getHeaderFields().getOrDefault("Set-Cookie", List.of()));
    InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    // Read to the end, so the connection goes back to the keep-alive cache.
    String text = "";
    if (in != null) {
      try (in) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    return new Response(status, connection.getHeaderField("Location"), text);
  }

  /** Set-Cookie as a browser applies it: a later value replaces, an expired or empty one removes. */
  private void keepCookies(List<String> setCookies) {
    for (String header : setCookies) {
      String[] parts = header.split(";");
      int eq = parts[0].indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String name = parts[0].substring(0, eq).trim();
      String value = parts[0].substring(eq + 1).trim();
      boolean expired = value.isEmpty();
      for (int i = 1; i < parts.length; i++) {
        String attribute = parts[i].trim().toLowerCase(Locale.ROOT);
        if (attribute.equals("max-age=0") || attribute.startsWith("max-age=-")) {
          expired = true;
        }
      }
      if (expired) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
  }

  private record Response(int status, String locationHeader, String body) {
    String location() {
      if (locationHeader == null) {
        throw new IllegalStateException("no Location in a " + status + " answer");
      }
      return locationHeader;
    }
  }

  private static void expect(Response response, int status, String step) {
    if (response.status() != status) {
      throw new IllegalStateException(step + " answered " + response.status() + " instead of "
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
