package io.mpconnect.api.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.TestTemporal;
import io.mpconnect.api.web.Json;
import io.mpconnect.config.Env;
import io.mpconnect.config.EventTrustSettings;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.standins.events.AgreementEvents.Envelope;
import io.mpconnect.standins.events.AgreementEvents.Role;
import io.mpconnect.standins.sns.SnsStandIn;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.subscription.CustomerIdentifierWorkflow;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Authenticity;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Listing;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionWorkflow;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/marketplace/events} on Temporal's in-process test server: what the route
 * accepts reaches the customer's workflow by signal-with-start (played here by recorders under the
 * real workflow types and signal names, so that the route is tested without depending on what the
 * subscription workflow then does with the event), and what it refuses answers 400 with the
 * parser's reason and starts nothing.
 */
class MarketplaceEventRoutesTest {
  private static final String TASK_QUEUE = "marketplace-events-test";
  private static final String TOKEN = "admin-token-of-the-test";
  private static final String PRODUCT = "prod-abc123";
  private static final String PRODUCT_ID = "prod-listing42";
  private static final String SELLER = "123456512334";
  private static final String LICENSE =
      "arn:aws:license-manager::123456512334:license:l-0123456789abcdef0123456789abcdef";

  /** Most tests post bare messages, as support could with the opt-in (the developer mode's). */
  private static final Authenticity UNSIGNED_ACCEPTED = Authenticity.unsignedAccepted();

  private static TestWorkflowEnvironment temporal;
  private static Javalin app;
  private static Javalin codesOnly;
  private static String base;
  private static String codesOnlyBase;
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final AgreementEvents events = new AgreementEvents(SELLER, PRODUCT_ID, PRODUCT);

  /** Plays SubscriptionWorkflow: records the lifecycle events it is signalled. */
  @WorkflowInterface
  public interface RecordingSubscription {
    @WorkflowMethod(name = "SubscriptionWorkflow")
    void run(SubscriptionInput input);

    @SignalMethod(name = SubscriptionWorkflow.EVENT_SIGNAL)
    void lifecycleEvent(LifecycleEvent event);

    @QueryMethod(name = "recorded")
    List<LifecycleEvent> recorded();
  }

  public static final class RecordingSubscriptionImpl implements RecordingSubscription {
    private final List<LifecycleEvent> events = new ArrayList<>();

    @Override
    public void run(SubscriptionInput input) {
      Workflow.await(() -> false);
    }

    @Override
    public void lifecycleEvent(LifecycleEvent event) {
      events.add(event);
    }

    @Override
    public List<LifecycleEvent> recorded() {
      return events;
    }
  }

  /** Plays CustomerIdentifierWorkflow (legacy events waiting for their account). */
  @WorkflowInterface
  public interface RecordingIdentifier {
    @WorkflowMethod(name = "CustomerIdentifierWorkflow")
    void run(String productCode, String customerIdentifier);

    @SignalMethod(name = CustomerIdentifierWorkflow.EVENT_SIGNAL)
    void lifecycleEvent(LifecycleEvent event);

    @QueryMethod(name = "recorded")
    List<LifecycleEvent> recorded();
  }

  public static final class RecordingIdentifierImpl implements RecordingIdentifier {
    private final List<LifecycleEvent> events = new ArrayList<>();

    @Override
    public void run(String productCode, String customerIdentifier) {
      Workflow.await(() -> false);
    }

    @Override
    public void lifecycleEvent(LifecycleEvent event) {
      events.add(event);
    }

    @Override
    public List<LifecycleEvent> recorded() {
      return events;
    }
  }

  @BeforeAll
  static void start() {
    temporal = TestTemporal.withSearchAttributes();
    Worker worker = temporal.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(
        RecordingSubscriptionImpl.class, RecordingIdentifierImpl.class);
    temporal.start();
    app = javalin();
    new MarketplaceEventRoutes(temporal.getWorkflowClient(), TASK_QUEUE, TOKEN,
        Listing.of(PRODUCT, PRODUCT_ID, SELLER), UNSIGNED_ACCEPTED).register(app);
    app.start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
    codesOnly = javalin();
    new MarketplaceEventRoutes(temporal.getWorkflowClient(), TASK_QUEUE, TOKEN, PRODUCT,
        UNSIGNED_ACCEPTED)
        .register(codesOnly);
    codesOnly.start("127.0.0.1", 0);
    codesOnlyBase = "http://127.0.0.1:" + codesOnly.port();
  }

  private static Javalin javalin() {
    return Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
    });
  }

  @AfterAll
  static void stop() {
    for (Javalin started : new Javalin[] {app, codesOnly}) {
      if (started != null) {
        started.stop();
      }
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  void withoutABearerTokenItIs401_withAWrongOneItIs403() throws Exception {
    String body = legacyOfAccount("subscribe-success", "100000000001");
    HttpResponse<String> none = post(body, null);
    HttpResponse<String> basic = post(body, "Basic abc");
    HttpResponse<String> wrong = post(body, "Bearer nope");
    HttpResponse<String> longer = post(body, "Bearer " + TOKEN + "x");

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(longer.statusCode()).isEqualTo(403);
    assertThat(recorded(SubscriptionIds.workflowId(PRODUCT, "100000000001"))).isNull();
  }

  @Test
  void anSnsWrappedLegacyEventIsAcceptedWith202AndReachesTheAccountsSubscription()
      throws Exception {
    String sns = "{\"Type\":\"Notification\",\"MessageId\":\"sns-admin-1\",\"Message\":"
        + quoted(legacyOfAccount("subscribe-success", "100000000002")) + "}";

    HttpResponse<String> response = post(sns, "bearer " + TOKEN);

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("accepted");
    assertThat(body.path("workflowId").asText()).isEqualTo("subscription-prod-abc123-100000000002");
    assertThat(body.path("action").asText()).isEqualTo("subscribe-success");
    assertThat(body.path("customerKey").asText()).isEqualTo("100000000002");
    List<LifecycleEvent> recorded =
        awaitRecorded(body.path("workflowId").asText(), 1);
    assertThat(recorded).singleElement().satisfies(e -> {
      assertThat(e.action()).isEqualTo(LifecycleAction.SUBSCRIBE_SUCCESS);
      assertThat(e.messageId()).isEqualTo("sns-admin-1");
      assertThat(e.source()).isEqualTo("admin");
    });
  }

  @Test
  void aLegacyEventNamingOnlyACustomerIdentifierIsAccepted() throws Exception {
    HttpResponse<String> response = post("{\"action\":\"subscribe-success\",\"customer-identifier\""
        + ":\"cust-only-id\",\"product-code\":\"" + PRODUCT + "\"}", "Bearer " + TOKEN);

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.path("customerKey").asText()).isEqualTo("cust-only-id");
    assertThat(body.path("workflowId").asText()).contains("cust-only-id");
    assertThat(awaitRecorded(body.path("workflowId").asText(), 1)).singleElement()
        .satisfies(e -> assertThat(e.customerIdentifier()).isEqualTo("cust-only-id"));
  }

  @Test
  void awsCurrentModelEvents_areAcceptedForTheAcceptorsAccount_eachWithItsOwnId()
      throws Exception {
    String buyer = "777788889999";
    String agreement = AgreementEvents.newAgreementId();
    List<String> bodies = List.of(
        events.agreementCreated(Envelope.inRequest("req-9"), Role.PROPOSER, buyer, agreement,
            "offer-9", "NEW"),
        events.licenseUpdated(Envelope.inRequest("req-9"), buyer, agreement, LICENSE, "offer-9"),
        events.agreementAmended(Envelope.fresh(), Role.MANUFACTURER, buyer, agreement, "offer-9"),
        events.agreementEnded(buyer, agreement, "offer-9", "EXPIRED"),
        events.licenseDeprovisioned(buyer, agreement, LICENSE, "offer-9"));
    List<String> actions = new ArrayList<>();
    for (String event : bodies) {
      HttpResponse<String> response = post(event, "Bearer " + TOKEN);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      JsonNode body = Json.MAPPER.readTree(response.body());
      assertThat(body.path("customerKey").asText()).isEqualTo(buyer);
      assertThat(body.path("productCode").asText()).isEqualTo(PRODUCT);
      assertThat(body.path("workflowId").asText())
          .isEqualTo(SubscriptionIds.workflowId(PRODUCT, buyer));
      actions.add(body.path("action").asText());
    }
    assertThat(actions).containsExactly("purchase-agreement-created", "license-updated",
        "purchase-agreement-amended", "purchase-agreement-ended", "license-deprovisioned");

    List<LifecycleEvent> recorded = awaitRecorded(SubscriptionIds.workflowId(PRODUCT, buyer), 5);
    assertThat(recorded).extracting(LifecycleEvent::messageId).doesNotHaveDuplicates()
        .doesNotContain("req-9");
    assertThat(recorded).allSatisfy(e -> {
      assertThat(e.agreementId()).isEqualTo(agreement);
      assertThat(e.awsAccountId()).isEqualTo(buyer);
    });
    assertThat(recorded.get(0).agreementDetail()).isEqualTo("NEW");
    assertThat(recorded.get(0).offerIdentifier()).isEqualTo("offer-9");
    assertThat(recorded.get(1).licenseArn()).isEqualTo(LICENSE);
    assertThat(recorded.get(3).agreementDetail()).isEqualTo("EXPIRED");
    assertThat(recorded.get(4).action()).isEqualTo(LifecycleAction.LICENSE_DEPROVISIONED);
  }

  @Test
  void awsEventsThatCannotApplyAre400WithTheReason_andStartNothing() throws Exception {
    String buyer = "555566667777";
    String agreement = AgreementEvents.newAgreementId();
    String license = events.licenseUpdated(buyer, agreement, LICENSE, null);
    assertRefused(post(new AgreementEvents("999999999999", PRODUCT_ID, PRODUCT)
        .licenseUpdated(buyer, agreement, LICENSE, null), "Bearer " + TOKEN), "FOREIGN_ACCOUNT");
    assertRefused(post(license.replace("\"aws.agreement-marketplace\"", "\"aws.marketplace\""),
        "Bearer " + TOKEN), "FOREIGN_SOURCE");
    HttpResponse<String> noArn = post(
        license.replace("\"license\":{\"arn\":\"" + LICENSE + "\"}", "\"license\":{}"),
        "Bearer " + TOKEN);
    assertRefused(noArn, "MALFORMED");
    assertThat(noArn.body()).contains("no LicenseArn");
    assertRefused(post(license.replaceFirst("\"time\":\"[^\"]*\"", "\"time\":\"soon\""),
        "Bearer " + TOKEN), "MALFORMED");
    assertRefused(post(new AgreementEvents(SELLER, "prod-other", "code-other")
        .licenseUpdated(buyer, agreement, LICENSE, null), "Bearer " + TOKEN), "UNKNOWN_PRODUCT");
    assertRefused(post(new AgreementEvents(SELLER, "prod-other", "code-other")
        .agreementAmended(buyer, agreement, null), "Bearer " + TOKEN), "UNKNOWN_PRODUCT");
    assertRefused(post(events.agreementCreated(Envelope.fresh(), Role.PROPOSER, buyer, agreement,
        null, "MIGRATE"), "Bearer " + TOKEN), "UNSUPPORTED_EVENT");
    assertRefused(post(events.agreementEnded(buyer, agreement, null, "ARCHIVED"),
        "Bearer " + TOKEN), "UNSUPPORTED_EVENT");

    assertThat(recorded(SubscriptionIds.workflowId(PRODUCT, buyer))).isNull();
  }

  @Test
  void withoutAProductId_agreementEventsAreRefusedNamingTheVariable_licenseEventsApply()
      throws Exception {
    String buyer = "444433332222";
    HttpResponse<String> created = http.send(request(codesOnlyBase,
        events.agreementCreated(buyer, "agmt-1", null), "Bearer " + TOKEN),
        HttpResponse.BodyHandlers.ofString());
    assertRefused(created, "NOT_CONFIGURED");
    assertThat(Json.MAPPER.readTree(created.body()).path("message").asText())
        .contains("MARKETPLACE_PRODUCT_ID");

    HttpResponse<String> updated = http.send(request(codesOnlyBase,
        events.licenseUpdated(buyer, "agmt-1", LICENSE, null), "Bearer " + TOKEN),
        HttpResponse.BodyHandlers.ofString());
    assertThat(updated.statusCode()).isEqualTo(202);
  }

  @Test
  void theListingComesFromTheApiSettings() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "ADMIN_TOKEN", TOKEN,
        "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
        "MARKETPLACE_PRODUCT_CODE", PRODUCT,
        "MARKETPLACE_PRODUCT_ID", PRODUCT_ID,
        "MARKETPLACE_SELLER_ACCOUNT_ID", SELLER,
        "PAYLOAD_KEYS", PayloadKeys.newKeySetting("test"),
        // EventBridge events posted here carry no signature: this test is about the listing.
        "MARKETPLACE_ACCEPT_UNSIGNED_EVENTS", "true"));
    ApiSettings settings = ApiSettings.from(new Env(env));
    assertThat(settings.productId()).isEqualTo(PRODUCT_ID);
    assertThat(settings.sellerAccountId()).isEqualTo(SELLER);
    Javalin configured = javalin();
    new MarketplaceEventRoutes(temporal.getWorkflowClient(), settings).register(configured);
    configured.start("127.0.0.1", 0);
    try {
      String url = "http://127.0.0.1:" + configured.port();
      assertThat(http.send(request(url, events.agreementCreated("333322221111", "agmt-2", null),
          "Bearer " + TOKEN), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
      assertRefused(http.send(request(url, new AgreementEvents("999999999999", PRODUCT_ID,
          PRODUCT).agreementCreated("333322221111", "agmt-2", null), "Bearer " + TOKEN),
          HttpResponse.BodyHandlers.ofString()), "FOREIGN_ACCOUNT");
    } finally {
      configured.stop();
    }

    env.put("MARKETPLACE_SELLER_ACCOUNT_ID", "1234");
    assertThatThrownBy(() -> ApiSettings.from(new Env(env)))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("MARKETPLACE_SELLER_ACCOUNT_ID");
    env.put("MARKETPLACE_SELLER_ACCOUNT_ID", SELLER);
    env.put("MARKETPLACE_PRODUCT_ID", "prod with spaces");
    assertThatThrownBy(() -> ApiSettings.from(new Env(env)))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("MARKETPLACE_PRODUCT_ID");
  }

  @Test
  void whatCannotApplyIs400WithTheReason() throws Exception {
    assertRefused(post("not json", "Bearer " + TOKEN), "MALFORMED");
    assertRefused(post(legacyOfAccount("subscribe-success", "100000000003")
        .replace(PRODUCT, "prod-other"), "Bearer " + TOKEN), "UNKNOWN_PRODUCT");
    assertRefused(post(legacyOfAccount("subscribe-later", "100000000003"), "Bearer " + TOKEN),
        "UNKNOWN_ACTION");
    HttpResponse<String> latin1 = http.send(
        HttpRequest.newBuilder(URI.create(base + MarketplaceEventRoutes.PATH))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofByteArray(
                ("{\"action\":\"subscribe-success\",\"customer-identifier\":\"cüst\","
                    + "\"product-code\":\"" + PRODUCT + "\"}")
                    .getBytes(StandardCharsets.ISO_8859_1)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertRefused(latin1, "MALFORMED");
    assertThat(latin1.body()).contains("UTF-8");
    assertThat(recorded(SubscriptionIds.workflowId(PRODUCT, "100000000003"))).isNull();
  }

  @Test
  void withoutAnAdminTokenConfiguredTheEndpointIsClosed() throws Exception {
    Javalin closed = Javalin.create(c -> c.showJavalinBanner = false);
    new MarketplaceEventRoutes(temporal.getWorkflowClient(), TASK_QUEUE, null, PRODUCT,
        UNSIGNED_ACCEPTED)
        .register(closed);
    closed.start("127.0.0.1", 0);
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closed.port()
                  + MarketplaceEventRoutes.PATH))
              .header("Authorization", "Bearer ")
              .POST(HttpRequest.BodyPublishers.ofString(
                  legacyOfAccount("subscribe-success", "100000000004")))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.body()).contains("ADMIN_TOKEN is not set");
    } finally {
      closed.stop();
    }
  }

  @Test
  void withoutAProductCodeConfiguredItIs503() throws Exception {
    Javalin unconfigured = Javalin.create(c -> c.showJavalinBanner = false);
    new MarketplaceEventRoutes(temporal.getWorkflowClient(), TASK_QUEUE, TOKEN, (Listing) null,
        null)
        .register(unconfigured);
    unconfigured.start("127.0.0.1", 0);
    try {
      HttpResponse<String> response = http.send(request("http://127.0.0.1:"
          + unconfigured.port(), legacyOfAccount("subscribe-success", "100000000005"),
          "Bearer " + TOKEN), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).contains("MARKETPLACE_PRODUCT_CODE");
    } finally {
      unconfigured.stop();
    }
  }

  @Test
  void withTheDefaultSettings_theAdminTokenAloneCannotChangeAPlan_onlyAwssSignedNotifications()
      throws Exception {
    try (SnsStandIn sns = SnsStandIn.start()) {
      ApiSettings settings = ApiSettings.from(new Env(Map.of(
          "ADMIN_TOKEN", TOKEN,
          "TEMPORAL_TASK_QUEUE", TASK_QUEUE,
          "MARKETPLACE_PRODUCT_CODE", PRODUCT,
          "MARKETPLACE_PRODUCT_ID", PRODUCT_ID,
          "MARKETPLACE_SELLER_ACCOUNT_ID", SELLER,
          "MARKETPLACE_SNS_CERTIFICATE_ENDPOINT", sns.certificateEndpoint().toString(),
          "PAYLOAD_KEYS", PayloadKeys.newKeySetting("test"))));
      assertThat(settings.eventTrust().acceptUnsigned()).as("off by default").isFalse();
      Javalin configured = javalin();
      new MarketplaceEventRoutes(temporal.getWorkflowClient(), settings).register(configured);
      configured.start("127.0.0.1", 0);
      try {
        String url = "http://127.0.0.1:" + configured.port();
        String awsTopic = EventTrustSettings.awsTopics(PRODUCT).get(0);
        String bare = "100000000021";
        String bridged = "100000000022";
        String forged = "100000000023";
        String signed = "100000000024";

        assertRefused(send(url, legacyOfAccount("subscribe-success", bare)), "UNSIGNED");
        assertRefused(send(url, events.licenseUpdated(bridged, "agmt-21", LICENSE, null)),
            "UNSIGNED");
        assertRefused(send(url, sns.forged(awsTopic, legacyOfAccount("subscribe-success",
            forged))), "BAD_SIGNATURE");
        HttpResponse<String> accepted = send(url,
            sns.notification(awsTopic, legacyOfAccount("subscribe-success", signed)));

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(awaitRecorded(SubscriptionIds.workflowId(PRODUCT, signed), 1))
            .extracting(LifecycleEvent::action).containsExactly(LifecycleAction.SUBSCRIBE_SUCCESS);
        for (String refused : List.of(bare, bridged, forged)) {
          assertThat(recorded(SubscriptionIds.workflowId(PRODUCT, refused))).as(refused).isNull();
        }
      } finally {
        configured.stop();
      }
    }
  }

  private static HttpResponse<String> send(String url, String body) throws Exception {
    return http.send(request(url, body, "Bearer " + TOKEN), HttpResponse.BodyHandlers.ofString());
  }

  // ---- helpers

  private static void assertRefused(HttpResponse<String> response, String reason) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.path("reason").asText()).isEqualTo(reason);
    assertThat(body.path("message").asText()).isNotBlank();
  }

  private static HttpResponse<String> post(String body, String authorization) throws Exception {
    return http.send(request(base, body, authorization), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String url, String body, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + MarketplaceEventRoutes.PATH))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  /** What the workflow under that id recorded, or null when there is none. */
  private static List<LifecycleEvent> recorded(String workflowId) {
    try {
      return List.of(temporal.getWorkflowClient().newUntypedWorkflowStub(workflowId)
          .query("recorded", LifecycleEvent[].class));
    } catch (WorkflowNotFoundException notFound) {
      return null;
    }
  }

  private static List<LifecycleEvent> awaitRecorded(String workflowId, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<LifecycleEvent> recorded = null;
    while (System.nanoTime() < deadline) {
      recorded = recorded(workflowId);
      if (recorded != null && recorded.size() >= count) {
        return recorded;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(workflowId + " recorded " + recorded + ", not " + count + " events");
  }

  private static String legacyOfAccount(String action, String account) {
    return "{\"action\":\"" + action + "\",\"customer-aws-account-id\":\"" + account + "\","
        + "\"product-code\":\"" + PRODUCT + "\"}";
  }

  private static String quoted(String json) {
    return "\"" + json.replace("\"", "\\\"") + "\"";
  }
}
