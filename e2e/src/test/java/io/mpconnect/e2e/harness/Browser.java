package io.mpconnect.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A browser as far as the api and the OIDC provider can tell, over plain HTTP: a cookie jar for
 * the api's origin, redirects followed by hand.
 */
public final class Browser {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final Supplier<String> apiBase;
  private final Predicate<String> isApi;
  private final Map<String, String> cookies = new LinkedHashMap<>();
  private volatile String lastApiBase;

  public Browser(String apiBase) {
    this(() -> apiBase, url -> url.startsWith(apiBase));
  }

  /**
   * A browser behind a load balancer: relative paths go to {@code apiBase}'s choice at each
   * request, and the cookies are sent to every URL {@code isApi} accepts (the apis of one fleet
   * share the session secret, as they share a host name behind the balancer).
   */
  public Browser(Supplier<String> apiBase, Predicate<String> isApi) {
    this.apiBase = apiBase;
    this.isApi = isApi;
  }

  /** The api base of the latest request to an api (relative or absolute). */
  public String lastApiBase() {
    return lastApiBase;
  }

  public HttpResponse<String> get(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET());
  }

  public HttpResponse<String> postForm(String pathOrUrl, Map<String, String> fields) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
  }

  public HttpResponse<String> postJson(String path, String json, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    headers.forEach(request::header);
    return send(request);
  }

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : apiBase.get() + pathOrUrl);
  }

  private synchronized HttpResponse<String> send(HttpRequest.Builder request) {
    request.timeout(Duration.ofSeconds(60));
    HttpRequest built = request.build();
    boolean toApi = isApi.test(built.uri().toString());
    if (toApi) {
      lastApiBase = built.uri().getScheme() + "://" + built.uri().getRawAuthority();
    }
    if (toApi && !cookies.isEmpty()) {
      request.header("Cookie", cookies.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
      built = request.build();
    }
    try {
      HttpResponse<String> response = HTTP.send(built, HttpResponse.BodyHandlers.ofString());
      if (toApi) {
        for (String header : response.headers().allValues("set-cookie")) {
          String pair = header.split(";", 2)[0];
          String name = pair.substring(0, pair.indexOf('='));
          String value = pair.substring(pair.indexOf('=') + 1);
          if (header.contains("Max-Age=0") || value.isEmpty()) {
            cookies.remove(name);
          } else {
            cookies.put(name, value);
          }
        }
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
