package io.mpconnect.api.limits;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The largest body each route accepts, in bytes. Each is a few times what a legitimate request
 * needs, so nobody real meets it, and the api never holds more than this per request in memory.
 * Routes not listed get {@link #DEFAULT_BYTES} (GETs have no body at all).
 */
public final class BodyLimits {
  /** The api's historical cap, for every route not listed below. */
  public static final int DEFAULT_BYTES = 64 * 1024;

  /** One route's limit; {@code path} is a Javalin template ({@code {id}} matches one segment). */
  public record Limit(String method, String path, int maxBytes, String why) {
    boolean matches(String requestMethod, String requestPath) {
      return method.equalsIgnoreCase(requestMethod) && pattern(path).matcher(requestPath).matches();
    }

    private static Pattern pattern(String template) {
      return Pattern.compile(template.replaceAll("\\{[^/}]+}", "[^/]+").replace(".", "\\."));
    }
  }

  public static final List<Limit> LIMITS = List.of(
      new Limit("POST", "/marketplace/aws/register", 16 * 1024,
          "a token of at most 4096 characters, percent-encoded, and the offer type"),
      new Limit("POST", "/api/onboardings/{id}/connect", 4 * 1024,
          "an organization id or a name of at most 64 characters"),
      new Limit("POST", "/signup/{id}", 4 * 1024, "the same choice as a form, and its CSRF token"),
      new Limit("POST", "/auth/signout", 2 * 1024, "a CSRF token and a local path"),
      new Limit("POST", "/admin/metering/runs", 1024, "one hour"),
      new Limit("POST", "/admin/marketplace/events", 64 * 1024,
          "one lifecycle event (AWS's are about 1 KB)"),
      new Limit("POST", "/codec/encode", 4 * 1024 * 1024,
          "the payloads of one history event, each at most Temporal's 2 MB, in base64"),
      new Limit("POST", "/codec/decode", 4 * 1024 * 1024,
          "the payloads of one history event, each at most Temporal's 2 MB, in base64"),
      new Limit("POST", "/api/usage", 192 * 1024,
          "a batch of up to 500 usage records of at most about 380 bytes each"));

  /** The largest limit of all: what Javalin itself is told to accept. */
  public static final int LARGEST_BYTES =
      Math.max(DEFAULT_BYTES, LIMITS.stream().mapToInt(Limit::maxBytes).max().orElse(0));

  private final List<Limit> limits;

  public BodyLimits() {
    this(LIMITS);
  }

  BodyLimits(List<Limit> limits) {
    this.limits = List.copyOf(limits);
  }

  public int limitFor(String method, String path) {
    for (Limit limit : limits) {
      if (limit.matches(method, path)) {
        return limit.maxBytes();
      }
    }
    return DEFAULT_BYTES;
  }
}
