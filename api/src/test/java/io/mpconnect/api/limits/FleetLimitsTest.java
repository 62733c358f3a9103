package io.mpconnect.api.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits are the fleet's: two api processes (here two {@link ApiServer}s in this JVM on one
 * Temporal) configured with {@code API_REPLICAS=2} together admit no more than the configured
 * onboarding-start budget, and no more registrations of one client than its limit, however the
 * requests are spread over them.
 */
class FleetLimitsTest {
  static final String TASK_QUEUE = "fleet-limits-test";
  static TestWorkflowEnvironment temporal;
  final List<ApiServer> apis = new ArrayList<>();
  final List<String> bases = new ArrayList<>();

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
  void stopApis() {
    apis.forEach(ApiServer::stop);
  }

  @Test
  void givenTwoApisOfAFleet_aFloodSpreadOverBothStartsNoMoreThanTheFleetBudget()
      throws Exception {
    // The fleet's budget: a burst of 6 and (almost) no refill during the test.
    Map<String, String> fleet = Map.of("API_REPLICAS", "2",
        "ONBOARDING_STARTS_PER_SECOND", "0.01", "ONBOARDING_STARTS_BURST", "6");
    startApis(2, fleet);

    List<String> tokens = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    int[] acceptedPerApi = new int[2];
    long began = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      String token = AbuseLimitsTest.token();
      tokens.add(token);
      int api = i % 2; // a round-robin load balancer
      HttpResponse<String> response = post(api, "/marketplace/aws/register",
          AbuseLimitsTest.form("x-amzn-marketplace-token", token), "192.0.2." + (i + 1));
      statuses.add(response.statusCode());
      if (response.statusCode() == 303) {
        acceptedPerApi[api]++;
      } else {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;

    long accepted = statuses.stream().filter(s -> s == 303).count();
    // 6 + 0.01/s × seconds: the whole fleet, not 6 per api (12 before API_REPLICAS).
    assertThat(accepted).isBetween(6L, (long) Math.floor(6 + 0.01 * seconds));
    assertThat(acceptedPerApi).containsExactly(3, 3);
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
  void givenTwoApisOfAFleet_oneClientSpreadOverBothGetsNoMoreThanItsRegistrationLimit()
      throws Exception {
    startApis(2, Map.of("API_REPLICAS", "2",
        "RATE_LIMIT_REGISTER_BURST", "4", "RATE_LIMIT_REGISTER_PER_MINUTE", "1"));
    String missingToken = AbuseLimitsTest.form("x-amzn-marketplace-offer-type", "free-trial");

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      statuses.add(post(i % 2, "/marketplace/aws/register", missingToken, "203.0.113.7")
          .statusCode());
    }

    // 4 pass the limit (and are refused for the missing token), the rest are limited: 4 for
    // the client across the fleet, not 4 per api.
    assertThat(statuses.stream().filter(s -> s == 400).count()).isEqualTo(4);
    assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(8);
    // Another client still passes on either api.
    assertThat(post(0, "/marketplace/aws/register", missingToken, "203.0.113.8").statusCode())
        .isEqualTo(400);
    assertThat(post(1, "/marketplace/aws/register", missingToken, "203.0.113.8").statusCode())
        .isEqualTo(400);
  }

  @Test
  void givenOneApiOfTwoIsDown_theFleetAdmitsLessNeverMore() throws Exception {
    startApis(1, Map.of("API_REPLICAS", "2",
        "ONBOARDING_STARTS_PER_SECOND", "0.01", "ONBOARDING_STARTS_BURST", "6"));
    int accepted = 0;
    for (int i = 0; i < 10; i++) {
      if (post(0, "/marketplace/aws/register",
          AbuseLimitsTest.form("x-amzn-marketplace-token", AbuseLimitsTest.token()),
          "198.51.100." + (i + 1)).statusCode() == 303) {
        accepted++;
      }
    }
    assertThat(accepted).isEqualTo(3);
  }

  @Test
  void theSplitIsPerProcess_andABudgetSmallerThanTheFleetIsRefusedAtStart() {
    LimitSettings settings = LimitSettings.from(new Env(Map.of("API_REPLICAS", "4",
        "ONBOARDING_STARTS_PER_SECOND", "10", "ONBOARDING_STARTS_BURST", "50",
        "RATE_LIMIT_REGISTER_BURST", "3")));
    assertThat(settings.processOnboardingStartsPerSecond()).isEqualTo(2.5);
    assertThat(settings.processOnboardingStartsBurst()).isEqualTo(12);
    assertThat(settings.share(settings.registerPerMinute())).isEqualTo(5.0);
    assertThat(settings.shareOfBurst(settings.registerBurst())).isEqualTo(1);
    assertThat(LimitSettings.from(new Env(Map.of())).processOnboardingStartsBurst()).isEqualTo(50);

    assertThatThrownBy(() -> LimitSettings.from(new Env(Map.of("API_REPLICAS", "8",
        "ONBOARDING_STARTS_BURST", "5"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("API_REPLICAS");
    assertThatThrownBy(() -> LimitSettings.from(new Env(Map.of("API_REPLICAS", "0"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("API_REPLICAS");
  }

  // ---- helpers ----

  void startApis(int count, Map<String, String> extra) throws IOException {
    for (int i = 0; i < count; i++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      bases.add("http://127.0.0.1:" + port);
      Map<String, String> env = new HashMap<>(Map.of(
          "API_HOST", "127.0.0.1",
          "API_PORT", Integer.toString(port),
          "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
          // One fleet: the same session secret and payload keys.
          "SESSION_SECRET", "fleet-limits-test-secret-0123456789abcdef",
          "PAYLOAD_KEYS", PayloadKeys.newKeySetting("test"),
          "OIDC_PROVIDERS", "dev",
          "OIDC_DEV_ISSUER", "http://127.0.0.1:1/dev",
          "OIDC_DEV_CLIENT_ID", "client",
          "RATE_LIMIT_CLIENT_IP_HEADER", "X-Forwarded-For",
          "TRUSTED_PROXIES", "127.0.0.1,::1"));
      env.putAll(extra);
      apis.add(new ApiServer(ApiSettings.from(new Env(env)), temporal.getWorkflowClient())
          .start());
    }
  }

  HttpResponse<String> post(int api, String path, String body, String clientIp)
      throws IOException, InterruptedException {
    return AbuseLimitsTest.client().send(
        HttpRequest.newBuilder(URI.create(bases.get(api) + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", "10.9.9.9, " + clientIp)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
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
