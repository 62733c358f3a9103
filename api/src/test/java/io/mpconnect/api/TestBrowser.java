package io.mpconnect.api;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A browser as far as the api can tell: its own cookie jar for the api's origin, redirects
 * followed by hand so tests can look at each hop.
 */
final class TestBrowser {
  private static final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String apiBase;
  final Map<String, String> cookies = new LinkedHashMap<>();

  TestBrowser(String apiBase) {
    this.apiBase = apiBase;
  }

  HttpResponse<String> get(String pathOrUrl) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET());
  }

  HttpResponse<String> postForm(String pathOrUrl, String encodedBody) {
    return postForm(pathOrUrl, encodedBody.getBytes(StandardCharsets.ISO_8859_1));
  }

  HttpResponse<String> postForm(String pathOrUrl, byte[] body) {
    return send(HttpRequest.newBuilder(uri(pathOrUrl))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  HttpResponse<String> postJson(String path, String json, String csrfToken) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (csrfToken != null) {
      request.header("X-CSRF-Token", csrfToken);
    }
    return send(request);
  }

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : apiBase + pathOrUrl);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
    boolean toApi = built.uri().toString().startsWith(apiBase);
    if (toApi && !cookies.isEmpty()) {
      request.header("Cookie", cookies.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
      built = request.build();
    }
    try {
      HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
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
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
