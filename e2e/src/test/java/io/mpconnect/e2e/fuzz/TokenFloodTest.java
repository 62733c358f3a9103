package io.mpconnect.e2e.fuzz;

import io.mpconnect.e2e.harness.RunsAlone;
import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.temporal.client.WorkflowExecutionMetadata;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A flood of well-shaped, invalid registration tokens from many addresses at once, against an api
 * with the production defaults of its limits, on the real Temporal server: the number of onboarding
 * workflows started is bounded by the global start budget, as the server's own list says (its
 * visibility store, filtered by this api's task queue).
 */
@ExtendWith(FuzzEnvironment.Resolver.class)
@RunsAlone
class TokenFloodTest {
  static final String TASK_QUEUE = "token-flood-test";
  static final int REQUESTS = 300;
  static final int CONCURRENCY = 16;
  static final int BUDGET_PER_SECOND = 10;
  static final int BUDGET_BURST = 50;

  static FuzzEnvironment env;
  static ApiServer api;
  static String base;

  @BeforeAll
  static void startAnApiWithDefaultLimits(FuzzEnvironment environment) {
    env = environment;
    // Port 0: the api binds any free port and says which (no port picked here and bound later).
    Map<String, String> settings = new HashMap<>(Map.of(
        "API_HOST", "127.0.0.1",
        "API_PORT", "0",
        "TEMPORAL_ADDRESS", env.setting("TEMPORAL_ADDRESS"),
        // No worker polls this queue: every onboarding started stays visible, running.
        "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
        "SESSION_SECRET", "token-flood-test-secret-0123456789abcdef",
        // Each request names its own client, as a botnet's would (the test is the proxy).
        "TRUSTED_PROXIES", "127.0.0.1",
        "ONBOARDING_STARTS_PER_SECOND", Integer.toString(BUDGET_PER_SECOND),
        "ONBOARDING_STARTS_BURST", Integer.toString(BUDGET_BURST)));
    settings.put("DATABASE_URL", env.setting("DATABASE_URL"));
    settings.put("DATABASE_USER", env.setting("DATABASE_USER"));
    settings.put("DATABASE_PASSWORD", env.setting("DATABASE_PASSWORD"));
    settings.put(PayloadKeys.KEYS_FILE, env.setting(PayloadKeys.KEYS_FILE));
    api = new ApiServer(ApiSettings.from(new Env(settings)), env.client).start();
    base = "http://127.0.0.1:" + api.port();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
    if (env != null) {
      env.client.listExecutions("TaskQueue = '" + TASK_QUEUE + "' AND ExecutionStatus = 'Running'")
          .forEach(w -> env.client.newUntypedWorkflowStub(w.getExecution().getWorkflowId())
              .terminate("token flood test cleanup"));
    }
  }

  @Test
  void aFloodOfInvalidTokensFromManyAddressesStartsOnlyTheBudgetOfWorkflows() throws Exception {
    SecureRandom random = new SecureRandom();
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    List<String> retryAfter = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    long started = System.nanoTime();
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      int n = i;
      sent.add(pool.submit(() -> {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = "flood-" + HexFormat.of().formatHex(bytes);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(base + "/marketplace/aws/register"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", "198.18." + (n / 250) + "." + (n % 250 + 1))
            .POST(HttpRequest.BodyPublishers.ofString("x-amzn-marketplace-token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8)))
            .build(), HttpResponse.BodyHandlers.ofString());
        statuses.merge(response.statusCode(), 1, Integer::sum);
        if (response.statusCode() == 303) {
          accepted.add(response.headers().firstValue("Location").orElseThrow()
              .substring("/signup/".length()));
        } else {
          synchronized (retryAfter) {
            retryAfter.add(response.headers().firstValue("Retry-After").orElse("missing"));
          }
        }
        return null;
      }));
    }
    for (Future<?> f : sent) {
      f.get();
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - started) / 1e9;
    long bound = (long) Math.floor(BUDGET_BURST + BUDGET_PER_SECOND * seconds) + 1;

    Set<String> listed = awaitListed(accepted.size());
    System.out.printf("token flood: %d requests from %d addresses in %.1f s -> %s; workflows"
            + " listed on the server: %d (bound: burst %d + %d/s x %.1f s = %d)%n",
        REQUESTS, REQUESTS, seconds, statuses, listed.size(), BUDGET_BURST, BUDGET_PER_SECOND,
        seconds, bound);

    assertThat(statuses.keySet()).containsOnly(303, 503);
    assertThat(accepted.size()).isBetween(BUDGET_BURST, (int) bound);
    assertThat(retryAfter).hasSize(REQUESTS - accepted.size())
        .allSatisfy(value -> assertThat(Integer.parseInt(value)).isPositive());
    assertThat(listed).isEqualTo(accepted.stream().map(id -> "onboarding-" + id)
        .collect(Collectors.toSet()));
  }

  /** The server's list of this queue's workflows (visibility is eventually consistent). */
  private static Set<String> awaitListed(int expected) throws InterruptedException {
    Set<String> listed = Set.of();
    for (int attempt = 0; attempt < 50; attempt++) {
      listed = env.client.listExecutions("TaskQueue = '" + TASK_QUEUE + "'")
          .map(WorkflowExecutionMetadata::getExecution)
          .map(e -> e.getWorkflowId())
          .collect(Collectors.toSet());
      if (listed.size() >= expected) {
        Thread.sleep(500);
        return env.client.listExecutions("TaskQueue = '" + TASK_QUEUE + "'")
            .map(w -> w.getExecution().getWorkflowId()).collect(Collectors.toSet());
      }
      Thread.sleep(200);
    }
    return listed;
  }
}
