package io.mpconnect.api.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.mpconnect.api.web.Json;
import io.mpconnect.workflows.activities.MeteringFlushActivities;
import io.mpconnect.workflows.activities.SubscriptionActivities;
import io.mpconnect.workflows.messages.AwsSubscriptionState;
import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionTransition;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.messages.TransitionResult;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.mpconnect.workflows.subscription.SubscriptionWorkflowImpl;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/marketplace/events} against the real subscription workflow on Temporal's
 * in-process test server, and the sign-up view's live subscription status.
 */
class MarketplaceEventRoutesTest {
  private static final String TASK_QUEUE = "marketplace-events-test";
  private static final String TOKEN = "admin-token-of-the-test";
  private static final String PRODUCT = "prod-abc123";

  private static TestWorkflowEnvironment temporal;
  private static Javalin app;
  private static String base;
  private static final HttpClient http = HttpClient.newHttpClient();

  /** Just enough of the database: organizations become STANDARD when ACTIVE. */
  static final class Store implements SubscriptionActivities, MeteringFlushActivities {
    @Override
    public TransitionResult applyTransition(SubscriptionTransition t) {
      if (t.organizationId() == null) {
        return new TransitionResult(null, false, false);
      }
      boolean paid = t.to() == SubscriptionStatus.ACTIVE
          || t.to() == SubscriptionStatus.UNSUBSCRIBE_PENDING;
      return new TransitionResult(paid ? "STANDARD" : "STARTER", true, true);
    }

    @Override
    public SubscriptionLink findLink(String productCode, String customerKey) {
      return null;
    }

    @Override
    public void notifyOwners(SubscriptionNotice notice) {}

    @Override
    public void requestFinalFlush(FinalFlushRequest request) {}
  }

  @BeforeAll
  static void start() {
    temporal = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    SearchAttributes.ALL.forEach(key ->
        temporal.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    Worker worker = temporal.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(SubscriptionWorkflowImpl.class);
    worker.registerActivitiesImplementations(new Store());
    temporal.start();
    app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
    });
    new MarketplaceEventRoutes(temporal.getWorkflowClient(), TASK_QUEUE, TOKEN, PRODUCT).register(app);
    app.start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.stop();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  void withoutABearerTokenItIs401_withAWrongOneItIs403() throws Exception {
    HttpResponse<String> none = post(legacy("subscribe-success", "cust-auth"), null);
    HttpResponse<String> basic = post(legacy("subscribe-success", "cust-auth"), "Basic abc");
    HttpResponse<String> wrong = post(legacy("subscribe-success", "cust-auth"), "Bearer nope");
    HttpResponse<String> longer = post(legacy("subscribe-success", "cust-auth"),
        "Bearer " + TOKEN + "x");

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(longer.statusCode()).isEqualTo(403);
    assertThat(subscription("cust-auth")).isEmpty();
  }

  @Test
  void anSnsWrappedEventIsAcceptedWith202AndReachesTheSubscription() throws Exception {
    String sns = "{\"Type\":\"Notification\",\"MessageId\":\"sns-admin-1\",\"Message\":"
        + quoted(legacy("subscribe-success", "cust-sns")) + "}";

    HttpResponse<String> response = post(sns, "bearer " + TOKEN);

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("accepted");
    assertThat(body.path("workflowId").asText()).isEqualTo("subscription-prod-abc123-cust-sns");
    assertThat(body.path("action").asText()).isEqualTo("subscribe-success");
    SubscriptionView view = awaitSubscription("cust-sns", v -> v.eventsApplied() == 1);
    assertThat(view.awsState()).isEqualTo(AwsSubscriptionState.SUBSCRIBED);
    assertThat(view.status()).as("no organization linked yet").isEqualTo(SubscriptionStatus.PENDING);
  }

  @Test
  void anEventBridgeAgreementIsAcceptedForTheAcceptorsAccount() throws Exception {
    String event = "{\"version\":\"0\",\"id\":\"eb-9\",\"detail-type\":\"Purchase Agreement"
        + " Created - Manufacturer\",\"source\":\"aws.agreement-marketplace\",\"detail\":{"
        + "\"requestId\":\"r-9\",\"agreement\":{\"id\":\"agmt-9\",\"intent\":\"NEW\"},"
        + "\"acceptor\":{\"accountId\":\"777788889999\"},\"product\":{\"code\":\"" + PRODUCT + "\"}}}";

    HttpResponse<String> response = post(event, "Bearer " + TOKEN);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(Json.MAPPER.readTree(response.body()).path("customerKey").asText())
        .isEqualTo("777788889999");
  }

  @Test
  void whatCannotApplyIs400WithTheReason() throws Exception {
    assertRefused(post("not json", "Bearer " + TOKEN), "MALFORMED");
    assertRefused(post(legacy("subscribe-success", "cust-x").replace(PRODUCT, "prod-other"),
        "Bearer " + TOKEN), "UNKNOWN_PRODUCT");
    assertRefused(post(legacy("subscribe-later", "cust-x"), "Bearer " + TOKEN), "UNKNOWN_ACTION");
    HttpResponse<String> latin1 = http.send(
        HttpRequest.newBuilder(URI.create(base + MarketplaceEventRoutes.PATH))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofByteArray(
                legacy("subscribe-success", "cüst").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertRefused(latin1, "MALFORMED");
    assertThat(latin1.body()).contains("UTF-8");
    assertThat(subscription("cust-x")).isEmpty();
  }

  @Test
  void withoutAnAdminTokenConfiguredTheEndpointIsClosed() throws Exception {
    Javalin closed = Javalin.create(c -> c.showJavalinBanner = false);
    new MarketplaceEventRoutes(temporal.getWorkflowClient(), TASK_QUEUE, null, PRODUCT)
        .register(closed);
    closed.start("127.0.0.1", 0);
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closed.port()
                  + MarketplaceEventRoutes.PATH))
              .header("Authorization", "Bearer ")
              .POST(HttpRequest.BodyPublishers.ofString(legacy("subscribe-success", "c")))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.body()).contains("ADMIN_TOKEN is not set");
    } finally {
      closed.stop();
    }
  }

  @Test
  void aClosedOnboardingsViewShowsTheSubscriptionsStatusNow() throws Exception {
    SubscriptionSignals signals = new SubscriptionSignals(temporal.getWorkflowClient(), TASK_QUEUE);
    signals.link(new SubscriptionLink(PRODUCT, "cust-live", "111122223333", "cust-live",
        "org-live", "Live Org", "onb-live", null));
    OnboardingView closed = new OnboardingView("onb-live", OnboardingStep.DONE,
        OnboardingOutcome.CONNECTED,
        new OnboardingView.Customer("111122223333", "cust-live", PRODUCT), null, List.of(),
        new OrganizationRef("org-live", "Live Org", "STARTER"),
        new OnboardingView.Subscription(SubscriptionStatus.PENDING), "not confirmed yet");
    awaitSubscription("cust-live", v -> "org-live".equals(v.organizationId()));
    assertThat(LiveSubscriptionStatus.refresh(temporal.getWorkflowClient(), closed))
        .as("nothing changed yet").isSameAs(closed);

    assertThat(post(legacy("subscribe-success", "cust-live"), "Bearer " + TOKEN).statusCode())
        .isEqualTo(202);
    awaitSubscription("cust-live", v -> v.status() == SubscriptionStatus.ACTIVE);

    OnboardingView now = LiveSubscriptionStatus.refresh(temporal.getWorkflowClient(), closed);
    assertThat(now.subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(now.organization().plan()).isEqualTo("STANDARD");
    assertThat(now.message()).contains("has confirmed").contains("Live Org");
    assertThat(now.step()).isEqualTo(OnboardingStep.DONE);
  }

  // ---- helpers

  private static void assertRefused(HttpResponse<String> response, String reason) throws Exception {
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.path("reason").asText()).isEqualTo(reason);
    assertThat(body.path("message").asText()).isNotBlank();
  }

  private static HttpResponse<String> post(String body, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + MarketplaceEventRoutes.PATH))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<SubscriptionView> subscription(String customer) {
    return new SubscriptionSignals(temporal.getWorkflowClient(), TASK_QUEUE).view(PRODUCT, customer);
  }

  private static SubscriptionView awaitSubscription(String customer, Predicate<SubscriptionView> test)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<SubscriptionView> view = subscription(customer);
      if (view.isPresent() && test.test(view.get())) {
        return view.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("subscription " + customer + " did not get there");
  }

  private static String legacy(String action, String customer) {
    return "{\"action\":\"" + action + "\",\"customer-identifier\":\"" + customer + "\","
        + "\"product-code\":\"" + PRODUCT + "\"}";
  }

  private static String quoted(String json) {
    return "\"" + json.replace("\"", "\\\"") + "\"";
  }
}
