package io.mpconnect.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.DemoData;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.standins.EmbeddedDatabase;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /admin/organizations/{id} over HTTP against a real PostgreSQL. Temporal is the in-process
 * test server with no subscription workflow running, so the status falls back to the database.
 */
class OrganizationSupportRoutesTest {
  private static final String ADMIN = "support-test-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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
    temporal = TestWorkflowEnvironment.newInstance();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    api = new ApiServer(ApiSettings.from(new Env(Map.of(
        "API_HOST", "127.0.0.1",
        "API_PORT", Integer.toString(port),
        "SESSION_SECRET", "support-test-session-secret-0123456789abcdef",
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
        .isEqualTo("subscription-prod-support-cust-444455556666");
  }

  @Test
  void anUnlinkedOrganizationHasNoLink() throws Exception {
    JsonNode body = JSON.readTree(
        get("/admin/organizations/" + DemoData.ACME_ENTERPRISE, ADMIN).body());
    assertThat(body.path("plan").asText()).isEqualTo("STANDARD");
    assertThat(body.get("marketplaceLink").isNull()).isTrue();
    assertThat(body.get("subscription").isNull()).isTrue();
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

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
