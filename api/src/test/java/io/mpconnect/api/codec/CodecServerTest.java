package io.mpconnect.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.console.ConsoleTest.Browser;
import io.mpconnect.config.EncryptionCodec;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The codec server over HTTP with a real OIDC provider: who may decode what the workers encrypted,
 * and the Web UI's cross-origin calls. Temporal is not needed: the codec only holds the keys.
 */
class CodecServerTest {
  static final String UI_ORIGIN = "http://127.0.0.1:8233";
  static final String ADMIN_TOKEN = "codec-test-admin-token";
  static final String SUPPORT = "support@example.com";
  static final String SECRET = "demo-111122223333-registration-token owner@example.com";
  static final String KEYS = PayloadKeys.newKeySetting("test");

  static MockOAuth2Server oidc;
  static WorkflowServiceStubs temporal;
  static ApiServer api;
  static String apiBase;
  static EncryptionCodec workerCodec;

  @BeforeAll
  static void start() throws Exception {
    oidc = new MockOAuth2Server(new OAuth2Config(true));
    oidc.start(InetAddress.getLoopbackAddress(), 0);
    // Never called, and connected lazily.
    temporal = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());
    int port = io.mpconnect.api.console.ConsoleTest.freePort();
    apiBase = "http://127.0.0.1:" + port;
    Env env = new Env(Map.ofEntries(
        Map.entry("API_HOST", "127.0.0.1"),
        Map.entry("API_PORT", Integer.toString(port)),
        Map.entry("SESSION_SECRET", "codec-test-session-secret-long-enough-0123456789"),
        Map.entry("OIDC_PROVIDERS", "mock"),
        Map.entry("OIDC_MOCK_ISSUER", "http://127.0.0.1:" + oidc.baseUrl().port() + "/mock"),
        Map.entry("OIDC_MOCK_CLIENT_ID", "mpconnect-test"),
        Map.entry("OIDC_MOCK_CLIENT_SECRET", "test-secret"),
        Map.entry("ADMIN_TOKEN", ADMIN_TOKEN),
        Map.entry("SUPPORT_EMAILS", "Support@Example.com, lead@example.com"),
        Map.entry("CODEC_CORS_ORIGIN", UI_ORIGIN),
        Map.entry("PAYLOAD_KEYS", KEYS)));
    workerCodec = new EncryptionCodec(PayloadKeys.from(env));
    api = new ApiServer(ApiSettings.from(env), WorkflowClient.newInstance(temporal)).start();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
    if (temporal != null) {
      temporal.shutdownNow();
    }
    if (oidc != null) {
      oidc.shutdown();
    }
  }

  @Test
  void anAnonymousReaderOfAStolenHistoryCannotUseTheCodecToDecryptIt() throws Exception {
    HttpResponse<String> anonymous = post("/codec/decode", encrypted(), Map.of());
    HttpResponse<String> guessedToken = post("/codec/decode", encrypted(),
        Map.of("Authorization", "Bearer guess"));
    HttpResponse<String> anonymousEncode = post("/codec/encode", plain(), Map.of());

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(guessedToken.statusCode()).isEqualTo(401);
    assertThat(anonymousEncode.statusCode()).isEqualTo(401);
    assertThat(anonymous.body() + guessedToken.body()).doesNotContain("registration-token");
  }

  @Test
  void aSignedInCustomerWhoIsNotSupportStaffIsRefused() throws Exception {
    Browser customer = signedIn("owner@example.com");

    HttpResponse<String> answer = post("/codec/decode", encrypted(), cookies(customer));

    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(answer.body()).contains("SUPPORT_EMAILS").doesNotContain("registration-token");
  }

  @Test
  void supportStaffSignedInDecodeWhatTheWorkerEncryptedFromTheWebUisOrigin() throws Exception {
    Browser support = signedIn(SUPPORT);
    Map<String, String> headers = new java.util.HashMap<>(cookies(support));
    headers.put("Origin", UI_ORIGIN);
    headers.put("X-Namespace", "default");

    HttpResponse<String> answer = post("/codec/decode", encrypted(), headers);

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).contains(UI_ORIGIN);
    assertThat(answer.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
    assertThat(text(parse(answer.body()).get(0))).isEqualTo(SECRET);
  }

  @Test
  void theAdminTokenEncodesAndDecodesForTools() throws Exception {
    Map<String, String> admin = Map.of("Authorization", "Bearer " + ADMIN_TOKEN);

    HttpResponse<String> encoded = post("/codec/encode", plain(), admin);
    List<Payload> sealed = parse(encoded.body());
    HttpResponse<String> decoded = post("/codec/decode", encoded.body(), admin);

    assertThat(encoded.statusCode()).isEqualTo(200);
    assertThat(EncryptionCodec.isEncrypted(sealed.get(0))).isTrue();
    assertThat(encoded.body()).doesNotContain("registration-token");
    // What the codec server encrypted the worker reads, and the reverse.
    assertThat(text(workerCodec.decode(sealed).get(0))).isEqualTo(SECRET);
    assertThat(text(parse(decoded.body()).get(0))).isEqualTo(SECRET);
  }

  @Test
  void theWebUisPreflightIsAnsweredAndOtherOriginsAreRefused() throws Exception {
    HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(apiBase + "/codec/decode"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", UI_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-namespace"));
    Browser support = signedIn(SUPPORT);
    Map<String, String> foreign = new java.util.HashMap<>(cookies(support));
    foreign.put("Origin", "http://127.0.0.1:6666");
    HttpResponse<String> fromAnotherSite = post("/codec/decode", encrypted(), foreign);

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(UI_ORIGIN);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
        .contains("POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
        .contains("Content-Type", "X-Namespace", "Authorization");
    assertThat(fromAnotherSite.statusCode()).isEqualTo(403);
    assertThat(fromAnotherSite.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void aTamperedPayloadOrAnotherNamespaceIsRefusedWithTheReason() throws Exception {
    Map<String, String> admin = Map.of("Authorization", "Bearer " + ADMIN_TOKEN);
    Payload sealed = workerCodec.encode(List.of(json(SECRET))).get(0);
    byte[] data = sealed.getData().toByteArray();
    data[data.length - 1] ^= 1;
    String tampered = print(sealed.toBuilder()
        .setData(com.google.protobuf.ByteString.copyFrom(data)).build());

    HttpResponse<String> refused = post("/codec/decode", tampered, admin);
    HttpResponse<String> otherNamespace = post("/codec/decode", encrypted(),
        Map.of("Authorization", "Bearer " + ADMIN_TOKEN, "X-Namespace", "payments"));

    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("failed authentication");
    assertThat(otherNamespace.statusCode()).isEqualTo(400);
  }

  // ---- helpers

  static Browser signedIn(String email) {
    Browser browser = new Browser(apiBase);
    HttpResponse<String> login = browser.get("/auth/mock/login?next="
        + URLEncoder.encode("/organizations", StandardCharsets.UTF_8));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
    HttpResponse<String> posted = browser.postForm(login.headers().firstValue("Location")
        .orElseThrow(), io.mpconnect.api.console.ConsoleTest.form(Map.of("username", "sub-" + email,
        "claims", "{\"email\":\"" + email + "\",\"email_verified\":true}")));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    HttpResponse<String> callback = browser.get(posted.headers().firstValue("Location").orElseThrow());
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
    return browser;
  }

  static Map<String, String> cookies(Browser browser) {
    return Map.of("Cookie", browser.cookies.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining("; ")));
  }

  static Payload json(String value) {
    return DefaultDataConverter.STANDARD_INSTANCE.toPayload(value).orElseThrow();
  }

  static String text(Payload payload) {
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class);
  }

  static String plain() throws Exception {
    return print(json(SECRET));
  }

  static String encrypted() throws Exception {
    return print(workerCodec.encode(List.of(json(SECRET))).get(0));
  }

  static String print(Payload payload) throws Exception {
    return JsonFormat.printer().print(Payloads.newBuilder().addPayloads(payload));
  }

  static List<Payload> parse(String json) throws Exception {
    Payloads.Builder payloads = Payloads.newBuilder();
    JsonFormat.parser().merge(json, payloads);
    return payloads.getPayloadsList();
  }

  static HttpResponse<String> post(String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiBase + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(request);
  }

  static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
