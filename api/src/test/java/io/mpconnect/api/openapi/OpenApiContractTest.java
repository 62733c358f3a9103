package io.mpconnect.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.limits.BodyLimits;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * openapi.json against the code: every route the api registers (with every optional part on:
 * developer mode, providers, tokens) is described, nothing described is missing from the api, the
 * document is valid OpenAPI 3, and it is what {@code GET /openapi.json} serves.
 */
class OpenApiContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  static WorkflowServiceStubs service;
  static ApiServer api;
  static String base;

  @BeforeAll
  static void startTheApiWithEveryOptionalRouteOn() throws IOException {
    // Nothing here calls Temporal: the stubs connect lazily, to a port where nothing listens.
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());
    int port;
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(Map.of(
        "API_HOST", "127.0.0.1",
        "API_PORT", Integer.toString(port),
        "SESSION_SECRET", "openapi-contract-test-secret-0123456789abcdef",
        "OIDC_PROVIDERS", "dev",
        "OIDC_DEV_ISSUER", "http://127.0.0.1:1/dev",
        "OIDC_DEV_CLIENT_ID", "client",
        "DEV_MODE", "true",
        "ADMIN_TOKEN", "admin",
        "USAGE_TOKEN", "usage",
        "MARKETPLACE_PRODUCT_CODE", "prod-openapi"));
    env.put("PAYLOAD_KEYS", PayloadKeys.newKeySetting("test"));
    api = new ApiServer(ApiSettings.from(new Env(env)), WorkflowClient.newInstance(service)).start();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
    if (service != null) {
      service.shutdownNow();
    }
  }

  @Test
  void everyRouteOfTheApiIsDescribedAndEveryDescribedRouteExists() throws IOException {
    Set<String> registered = new TreeSet<>(api.routes());
    Set<String> described = describedOperations(document());

    assertThat(registered).as("routes of the api").isNotEmpty();
    assertThat(difference(registered, described))
        .as("routes the api serves that openapi.json does not describe: add them to"
            + " api/src/main/resources/openapi.json")
        .isEmpty();
    assertThat(difference(described, registered))
        .as("operations openapi.json describes that the api does not serve")
        .isEmpty();
  }

  @Test
  void theDocumentIsValidOpenApi3() throws IOException {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser()
        .readContents(new String(OpenApiRoutes.load(), StandardCharsets.UTF_8), null, options);

    assertThat(result.getMessages()).as("OpenAPI validation messages").isEmpty();
    assertThat(result.getOpenAPI()).isNotNull();
    assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.");
  }

  @Test
  void everyOperationHasAnIdAndEveryBodyAcceptingOperationDocumentsItsLimitAnswer()
      throws IOException {
    JsonNode paths = document().path("paths");
    Set<String> operationIds = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> p = paths.fields(); p.hasNext(); ) {
      Map.Entry<String, JsonNode> path = p.next();
      for (Iterator<Map.Entry<String, JsonNode>> o = path.getValue().fields(); o.hasNext(); ) {
        Map.Entry<String, JsonNode> operation = o.next();
        if (!HTTP_METHODS.contains(operation.getKey())) {
          continue;
        }
        String name = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
        assertThat(operation.getValue().path("operationId").asText())
            .as("operationId of %s", name).isNotBlank();
        assertThat(operationIds.add(operation.getValue().path("operationId").asText()))
            .as("operationId of %s is unique", name).isTrue();
        if (operation.getValue().has("requestBody")) {
          assertThat(operation.getValue().path("responses").has("413"))
              .as("%s accepts a body, so it documents 413", name).isTrue();
          assertThat(BodyLimits.LIMITS)
              .as("%s has its own body limit in BodyLimits", name)
              .anySatisfy(limit -> {
                assertThat(limit.method()).isEqualToIgnoringCase(operation.getKey());
                assertThat(limit.path()).isEqualTo(path.getKey());
              });
        }
      }
    }
  }

  @Test
  void theApiServesTheDocumentAtOpenapiJson() throws Exception {
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(base + "/openapi.json")).build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(JSON.readTree(response.body())).isEqualTo(document());
  }

  static JsonNode document() throws IOException {
    return JSON.readTree(OpenApiRoutes.load());
  }

  static Set<String> describedOperations(JsonNode document) {
    Set<String> operations = new TreeSet<>();
    document.path("paths").fields().forEachRemaining(path ->
        path.getValue().fieldNames().forEachRemaining(method -> {
          if (HTTP_METHODS.contains(method)) {
            operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
          }
        }));
    return operations;
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> result = new TreeSet<>(a);
    result.removeAll(b);
    return result;
  }
}
