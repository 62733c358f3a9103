package io.mpconnect.api.limits;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one spelling of a request path that rate limits are keyed on, so that a trailing slash, a
 * doubled slash, another case, a percent-encoded letter or a {@code ;parameter} cannot reach a
 * route with a fresh bucket (Javalin, for one, serves {@code /marketplace/aws/register/} as the
 * registration).
 */
final class RoutePaths {
  static String canonical(String path) {
    String p = path == null ? "/" : path;
    if (p.indexOf('%') >= 0) {
      try {
        p = URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException malformed) {
        // kept as sent: the route will not match it either
      }
    }
    p = p.replaceAll(";[^/]*", "").replaceAll("/{2,}", "/").toLowerCase(Locale.ROOT);
    if (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.startsWith("/") ? p : "/" + p;
  }

  private RoutePaths() {}
}
