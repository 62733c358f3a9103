package io.mpconnect.standins.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The authorization-code flow with PKCE, as the api's OIDC client and a browser will drive it. */
class DevOidcProviderTest {
  static final String CLIENT_ID = "mpconnect-dev";
  static final String REDIRECT_URI = "http://127.0.0.1:9/auth/dev/callback";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  static DevOidcProvider provider;
  static String issuer;
  static JsonNode discovery;

  @BeforeAll
  static void start() throws Exception {
    provider = new DevOidcProvider().start(0);
    issuer = provider.issuerUrl(DevOidcProvider.DEFAULT_ISSUER_ID);
    discovery = JSON.readTree(get(provider.discoveryUrl(DevOidcProvider.DEFAULT_ISSUER_ID)).body());
  }

  @AfterAll
  static void stop() {
    provider.close();
  }

  @Test
  void theDiscoveryDocumentNamesTheIssuerAndItsEndpoints() {
    assertThat(issuer).isEqualTo("http://127.0.0.1:" + provider.port() + "/dev");
    assertThat(discovery.path("issuer").asText()).isEqualTo(issuer);
    assertThat(discovery.path("authorization_endpoint").asText()).isEqualTo(issuer + "/authorize");
    assertThat(discovery.path("token_endpoint").asText()).isEqualTo(issuer + "/token");
    assertThat(discovery.path("jwks_uri").asText()).isEqualTo(issuer + "/jwks");
  }

  @Test
  void givenOwnerSignsIn_itGetsAnIdTokenWithSubNonceAndEmail() throws Exception {
    Flow flow = new Flow();
    HttpResponse<String> page = get(flow.authorizeUrl());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("<form method=\"post\">", "name=\"username\"", "name=\"claims\"");

    Map<String, String> redirect = flow.login("owner@example.com", "");
    assertThat(redirect.get("state")).isEqualTo(flow.state);

    HttpResponse<String> tokens = flow.exchange(redirect.get("code"), flow.verifier);
    assertThat(tokens.statusCode()).isEqualTo(200);
    SignedJWT idToken = SignedJWT.parse(JSON.readTree(tokens.body()).path("id_token").asText());
    JWKSet keys = JWKSet.parse(get(discovery.path("jwks_uri").asText()).body());
    RSASSAVerifier verifier =
        new RSASSAVerifier(keys.getKeyByKeyId(idToken.getHeader().getKeyID()).toRSAKey());
    assertThat(idToken.verify(verifier)).isTrue();

    JWTClaimsSet claims = idToken.getJWTClaimsSet();
    System.out.println("ID token claims: " + claims.toJSONObject());
    assertThat(claims.getIssuer()).isEqualTo(issuer);
    assertThat(claims.getSubject()).isEqualTo("owner@example.com");
    assertThat(claims.getStringClaim("nonce")).isEqualTo(flow.nonce);
    assertThat(claims.getAudience()).contains(CLIENT_ID);
    assertThat(claims.getStringClaim("email")).isEqualTo("owner@example.com");
    assertThat(claims.getBooleanClaim("email_verified")).isTrue();
  }

  @Test
  void givenTypedClaims_theyAreMergedAndATypedEmailWins() throws Exception {
    Flow flow = new Flow();
    get(flow.authorizeUrl());
    Map<String, String> redirect =
        flow.login("owner@example.com", "{\"email\": \"other@example.com\", \"name\": \"Owner\"}");

    JWTClaimsSet claims = flow.idTokenClaims(redirect.get("code"));

    assertThat(claims.getStringClaim("email")).isEqualTo("other@example.com");
    assertThat(claims.getStringClaim("name")).isEqualTo("Owner");
  }

  @Test
  void givenUsernameIsNoEmailAddress_thereIsNoEmailClaim() throws Exception {
    Flow flow = new Flow();
    Map<String, String> redirect = flow.login("alice", "");

    JWTClaimsSet claims = flow.idTokenClaims(redirect.get("code"));

    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getClaim("email")).isNull();
  }

  @Test
  void givenWrongPkceVerifier_theTokenRequestIsRefused() throws Exception {
    Flow flow = new Flow();
    Map<String, String> redirect = flow.login("owner@example.com", "");

    HttpResponse<String> tokens = flow.exchange(redirect.get("code"), randomUrlSafe());

    assertThat(tokens.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(tokens.body()).path("error").asText()).isEqualTo("invalid_grant");
  }

  /** One sign-in: fresh state, nonce and PKCE verifier. */
  static final class Flow {
    final String state = randomUrlSafe();
    final String nonce = randomUrlSafe();
    final String verifier = randomUrlSafe();

    String authorizeUrl() throws Exception {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      Map<String, String> query = new LinkedHashMap<>();
      query.put("response_type", "code");
      query.put("client_id", CLIENT_ID);
      query.put("redirect_uri", REDIRECT_URI);
      query.put("scope", "openid email profile");
      query.put("state", state);
      query.put("nonce", nonce);
      query.put("code_challenge", Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
      query.put("code_challenge_method", "S256");
      return discovery.path("authorization_endpoint").asText() + "?" + form(query);
    }

    /** Posts the login form back to the authorize URL; returns the redirect's query. */
    Map<String, String> login(String username, String claims) throws Exception {
      HttpResponse<String> response =
          post(authorizeUrl(), form(Map.of("username", username, "claims", claims)), null);
      assertThat(response.statusCode()).isEqualTo(302);
      URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
      assertThat(location.toString()).startsWith(REDIRECT_URI + "?");
      return parseQuery(location.getRawQuery());
    }

    HttpResponse<String> exchange(String code, String codeVerifier) throws Exception {
      Map<String, String> body = new LinkedHashMap<>();
      body.put("grant_type", "authorization_code");
      body.put("code", code);
      body.put("redirect_uri", REDIRECT_URI);
      body.put("code_verifier", codeVerifier);
      String basic =
          Base64.getEncoder()
              .encodeToString((CLIENT_ID + ":dev-secret").getBytes(StandardCharsets.UTF_8));
      return post(discovery.path("token_endpoint").asText(), form(body), "Basic " + basic);
    }

    JWTClaimsSet idTokenClaims(String code) throws Exception {
      HttpResponse<String> tokens = exchange(code, verifier);
      assertThat(tokens.statusCode()).isEqualTo(200);
      return SignedJWT.parse(JSON.readTree(tokens.body()).path("id_token").asText())
          .getJWTClaimsSet();
    }
  }

  static HttpResponse<String> get(String url) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String url, String form, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  static Map<String, String> parseQuery(String query) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      String[] parts = pair.split("=", 2);
      fields.put(
          java.net.URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(parts.length > 1 ? parts[1] : "", StandardCharsets.UTF_8));
    }
    return fields;
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String randomUrlSafe() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
