package io.mpconnect.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.FakeSubscriptionWorkflow;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.DemoData;
import io.mpconnect.persistence.LicenseRepository;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.workflows.messages.AwsSubscriptionState;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /admin/organizations/{id} over HTTP against a real PostgreSQL. Temporal is the in-process
 * test server: where no subscription workflow runs, the status falls back to the database; where
 * one does ({@link FakeSubscriptionWorkflow} under the real id), its status and licenses are live.
 */
class OrganizationSupportRoutesTest {
  private static final String ADMIN = "support-test-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TASK_QUEUE = "support-test";
  private static final Instant FROM = Instant.parse("2026-06-02T08:00:00Z");
  private static final Instant ENDED = Instant.parse("2026-06-20T12:00:00Z");
  static final UUID LIVE_ORG = UUID.randomUUID();
  static final UUID LEGACY_ORG = UUID.randomUUID();

  static EmbeddedDatabase postgres;
  static Database database;
  static TestWorkflowEnvironment temporal;
  static ApiServer api;
  static String base;

  @BeforeAll
  static void start() throws IOException {
    postgres = EmbeddedDatabase.start();
    DatabaseSettings db = new DatabaseSettings(postgres.createDatabase("support"),
        EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD);
    database = Database.connect(db, 2);
    DemoData.seed(database.jdbi(), "http://issuer.test/dev");
    new MarketplaceCustomerRepository(database.jdbi())
        .register("prod-support", "444455556666", "cust-444455556666");
    MarketplaceLinkRepository links = new MarketplaceLinkRepository(database.jdbi());
    links.linkIfAbsent("prod-support", "444455556666", DemoData.ACME_ANALYTICS, "onb-1", "test");
    links.activate("prod-support", "444455556666", "test");
    // Two licenses of one account (current model), stored by its subscription workflow.
    new LicenseRepository(database.jdbi()).save(new LicenseRepository.LicenseSet(
        "prod-support", "444455556666", DemoData.ACME_ANALYTICS, List.of(
            new LicenseRepository.Entry("agmt-new", "arn:aws:license-manager::1:license/l-new",
                "agmt-new", MarketplaceLicense.Status.USABLE, ENDED, null, null, false,
                "offer-private-1", "RENEW", null),
            new LicenseRepository.Entry("agmt-old", "arn:aws:license-manager::1:license/l-old",
                "agmt-old", MarketplaceLicense.Status.ENDED, FROM, ENDED, ENDED, true, null,
                "NEW", "RENEWED")), 9));

    OrganizationRepository organizations = new OrganizationRepository(database.jdbi());
    organizations.insertIfAbsent(LIVE_ORG, "Live Licenses", Plan.STARTER);
    new MarketplaceCustomerRepository(database.jdbi())
        .register("prod-support", "777788889999", "cust-777788889999");
    links.linkIfAbsent("prod-support", "777788889999", LIVE_ORG, "onb-2", "test");
    organizations.insertIfAbsent(LEGACY_ORG, "Not Migrated", Plan.STARTER);
    new MarketplaceCustomerRepository(database.jdbi())
        .register("prod-support", "121212121212", "cust-121212121212");
    links.linkIfAbsent("prod-support", "121212121212", LEGACY_ORG, "onb-3", "test");

    temporal = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    Worker worker = temporal.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(FakeSubscriptionWorkflow.Impl.class);
    temporal.start();
    // The account's subscription, with its licenses (the workflow id names the account, not the
    // legacy identifier).
    FakeSubscriptionWorkflow.start(temporal.getWorkflowClient(), TASK_QUEUE, new SubscriptionView(
        SubscriptionIds.workflowId("prod-support", "777788889999"), "prod-support",
        "777788889999", "cust-777788889999", "777788889999", LIVE_ORG.toString(), "Live Licenses",
        SubscriptionStatus.ACTIVE, AwsSubscriptionState.SUBSCRIBED, "STANDARD", null, null, 2, 0,
        0, null, List.of(new License("agmt-live", "arn:aws:license-manager::1:license/l-live",
            "agmt-live", LicenseStatus.USABLE, FROM, null, null, true, "offer-live", "NEW", null,
            FROM))));
    // A subscription of the code before licenses, still under the legacy identifier.
    FakeSubscriptionWorkflow.start(temporal.getWorkflowClient(), TASK_QUEUE, new SubscriptionView(
        SubscriptionIds.workflowId("prod-support", "cust-121212121212"), "prod-support",
        "cust-121212121212", "cust-121212121212", "121212121212", LEGACY_ORG.toString(),
        "Not Migrated", SubscriptionStatus.UNSUBSCRIBE_PENDING,
        AwsSubscriptionState.UNSUBSCRIBE_PENDING, "STANDARD", null, null, 3, 0, 0, null, null));
    // Outside the kernel's ephemeral range: nothing else takes it before the api binds.
    int port = io.mpconnect.standins.temporal.LoopbackPorts.pick();
    base = "http://127.0.0.1:" + port;
    api = new ApiServer(ApiSettings.from(new Env(Map.of(
        "API_HOST", "127.0.0.1",
        "API_PORT", Integer.toString(port),
        "SESSION_SECRET", "support-test-session-secret-0123456789abcdef",
        "PAYLOAD_KEYS", PayloadKeys.newKeySetting("test"),
        "ADMIN_TOKEN", ADMIN,
        "DATABASE_URL", db.jdbcUrl(),
        "DATABASE_USER", db.user(),
        "DATABASE_PASSWORD", db.password()))), temporal.getWorkflowClient()).start();
  }

  @AfterAll
  static void stop() {
    api.stop();
    temporal.close();
    database.close();
    postgres.close();
  }

  @Test
  void aLinkedOrganizationShowsPlanLinkAndSubscriptionStatus() throws Exception {
    HttpResponse<String> response = get("/admin/organizations/" + DemoData.ACME_ANALYTICS, ADMIN);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("name").asText()).isEqualTo("Acme Analytics");
    assertThat(body.path("plan").asText()).isEqualTo("STANDARD");
    assertThat(body.path("billingProvider").asText()).isEqualTo("AWS_MARKETPLACE");
    assertThat(body.path("marketplaceLink").path("awsAccountId").asText()).isEqualTo("444455556666");
    assertThat(body.path("marketplaceLink").path("customerIdentifier").asText())
        .isEqualTo("cust-444455556666");
    assertThat(body.path("marketplaceLink").path("productCode").asText()).isEqualTo("prod-support");
    assertThat(body.path("subscription").path("status").asText()).isEqualTo("ACTIVE");
    assertThat(body.path("subscription").path("source").asText()).isEqualTo("database");
    assertThat(body.path("subscription").path("workflowId").asText())
        .as("keyed by the AWS account").isEqualTo("subscription-prod-support-444455556666");
    assertThat(body.path("subscription").get("licenses").isNull())
        .as("no workflow answered").isTrue();
  }

  @Test
  void theLicensesStoredInTheDatabaseAreListedNewestFirst() throws Exception {
    JsonNode body = JSON.readTree(
        get("/admin/organizations/" + DemoData.ACME_ANALYTICS, ADMIN).body());

    JsonNode licenses = body.path("licenses");
    assertThat(licenses).hasSize(2);
    JsonNode renewal = licenses.get(0);
    assertThat(renewal.path("licenseArn").asText())
        .isEqualTo("arn:aws:license-manager::1:license/l-new");
    assertThat(renewal.path("agreementId").asText()).isEqualTo("agmt-new");
    assertThat(renewal.path("status").asText()).isEqualTo("USABLE");
    assertThat(renewal.path("usableFrom").asText()).isEqualTo(ENDED.toString());
    assertThat(renewal.path("endedAt").isNull()).isTrue();
    assertThat(renewal.path("freeTrial").asBoolean(true)).isFalse();
    assertThat(renewal.path("offerId").asText()).isEqualTo("offer-private-1");
    assertThat(renewal.path("intent").asText()).isEqualTo("RENEW");
    assertThat(renewal.path("awsAccountId").asText()).isEqualTo("444455556666");
    assertThat(renewal.path("sequence").asLong()).isEqualTo(9);
    JsonNode ended = licenses.get(1);
    assertThat(ended.path("agreementId").asText()).isEqualTo("agmt-old");
    assertThat(ended.path("status").asText()).isEqualTo("ENDED");
    assertThat(ended.path("usableFrom").asText()).isEqualTo(FROM.toString());
    assertThat(ended.path("endedAt").asText()).isEqualTo(ENDED.toString());
    assertThat(ended.path("revokedAt").asText()).isEqualTo(ENDED.toString());
    assertThat(ended.path("freeTrial").asBoolean()).isTrue();
    assertThat(ended.path("offerId").isNull()).isTrue();
    assertThat(ended.path("endReason").asText()).isEqualTo("RENEWED");
  }

  @Test
  void aRunningSubscriptionGivesItsLiveStatusAndLicenses() throws Exception {
    JsonNode body = awaitSource("/admin/organizations/" + LIVE_ORG, "workflow");

    JsonNode subscription = body.path("subscription");
    assertThat(subscription.path("workflowId").asText())
        .isEqualTo("subscription-prod-support-777788889999");
    assertThat(subscription.path("status").asText()).isEqualTo("ACTIVE");
    assertThat(subscription.path("licenses")).singleElement().satisfies(l -> {
      assertThat(l.path("key").asText()).isEqualTo("agmt-live");
      assertThat(l.path("licenseArn").asText())
          .isEqualTo("arn:aws:license-manager::1:license/l-live");
      assertThat(l.path("agreementId").asText()).isEqualTo("agmt-live");
      assertThat(l.path("status").asText()).isEqualTo("USABLE");
      assertThat(l.path("usableFrom").asText()).isEqualTo(FROM.toString());
      assertThat(l.path("freeTrial").asBoolean()).isTrue();
      assertThat(l.path("offerId").asText()).isEqualTo("offer-live");
    });
    assertThat(body.path("licenses")).as("none stored yet").isEmpty();
  }

  @Test
  void aSubscriptionNotMigratedToItsAccountYetAnswersUnderItsLegacyIdentifier() throws Exception {
    JsonNode body = awaitSource("/admin/organizations/" + LEGACY_ORG, "workflow");

    assertThat(body.path("subscription").path("workflowId").asText())
        .isEqualTo("subscription-prod-support-cust-121212121212");
    assertThat(body.path("subscription").path("status").asText())
        .isEqualTo("UNSUBSCRIBE_PENDING");
    assertThat(body.path("subscription").path("licenses")).isEmpty();
  }

  @Test
  void anUnlinkedOrganizationHasNoLink() throws Exception {
    JsonNode body = JSON.readTree(
        get("/admin/organizations/" + DemoData.ACME_ENTERPRISE, ADMIN).body());
    assertThat(body.path("plan").asText()).isEqualTo("STANDARD");
    assertThat(body.get("marketplaceLink").isNull()).isTrue();
    assertThat(body.get("subscription").isNull()).isTrue();
    assertThat(body.path("licenses")).isEmpty();
  }

  @Test
  void refusesWithoutTheAdminTokenAndAnswersBadIdsClearly() throws Exception {
    String path = "/admin/organizations/" + DemoData.ACME_ANALYTICS;
    assertThat(get(path, null).statusCode()).isEqualTo(401);
    assertThat(get(path, "wrong-token").statusCode()).isEqualTo(401);
    HttpResponse<String> malformed = get("/admin/organizations/not-a-uuid", ADMIN);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).contains("UUID");
    assertThat(get("/admin/organizations/" + java.util.UUID.randomUUID(), ADMIN).statusCode())
        .isEqualTo(404);
  }

  /** The body once the subscription's source is {@code source} (the workflow starts first). */
  private static JsonNode awaitSource(String path, String source) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonNode body;
    do {
      HttpResponse<String> response = get(path, ADMIN);
      assertThat(response.statusCode()).isEqualTo(200);
      body = JSON.readTree(response.body());
      if (source.equals(body.path("subscription").path("source").asText())) {
        return body;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the subscription's source never became " + source + ": " + body);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
