package io.mpconnect.standins.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequestHandler;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;

/**
 * Serves every request with its own mock-oauth2-server handler, after adding {@code email} and
 * {@code email_verified} to the login form's claims when the typed username is an e-mail address.
 *
 * <p>The server's token callbacks cannot see the typed username (they get the token request
 * only), and the login's claims are merged into the tokens as they are; rewriting the login
 * submission is the one place where the username can become a claim. Additional routes come
 * before the server's own, so this one answers everything and the built-in handler stays idle.
 */
final class EmailClaimRoute implements Route {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Route delegate;

  EmailClaimRoute(OAuth2Config config) {
    this.delegate = new OAuth2HttpRequestHandler(config).getAuthorizationServer();
  }

  @Override
  public boolean match(OAuth2HttpRequest request) {
    return true;
  }

  @Override
  public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
    return delegate.invoke(withEmailClaim(request));
  }

  private static OAuth2HttpRequest withEmailClaim(OAuth2HttpRequest request) {
    if (!request.getMethod().equals("POST")
        || !request.getUrl().encodedPath().endsWith("/authorize")
        || request.getBody() == null) {
      return request;
    }
    Map<String, String> form = parseForm(request.getBody());
    String username = form.get("username");
    if (username == null || !username.contains("@")) {
      return request;
    }
    ObjectNode claims = claims(form.get("claims"));
    if (claims == null || claims.has("email")) {
      return request;
    }
    claims.put("email", username).put("email_verified", true);
    form.put("claims", claims.toString());
    return new OAuth2HttpRequest(
        request.getHeaders().newBuilder().removeAll("Content-Length").build(),
        request.getMethod(),
        request.getOriginalUrl(),
        encodeForm(form));
  }

  /** The typed claims as an object, or null when they are not JSON (the server ignores those). */
  private static ObjectNode claims(String typed) {
    if (typed == null || typed.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(typed);
      return node instanceof ObjectNode object ? object : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      form.put(decode(name), decode(value));
    }
    return form;
  }

  private static String encodeForm(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String decode(String value) {
    return URLDecoder.decode(value, StandardCharsets.UTF_8);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
