package io.mpconnect.api.web;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code Authorization: Bearer <token>} checks for service and admin endpoints. */
public final class BearerTokens {
  /**
   * True when the request carries {@code expected}. Otherwise answers 503 (no token configured:
   * the endpoint is off) or 401, and returns false.
   */
  public static boolean check(Context ctx, String expected, String variable) {
    if (expected == null) {
      ctx.status(503).json(Json.message("This endpoint is off: " + variable + " is not set."));
      return false;
    }
    if (!matches(ctx, expected)) {
      ctx.header("WWW-Authenticate", "Bearer");
      ctx.status(401).json(Json.message("Send \"Authorization: Bearer <token>\" with a valid "
          + variable.toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + "."));
      return false;
    }
    return true;
  }

  /** True when the request carries {@code expected} (never null); answers nothing. */
  public static boolean matches(Context ctx, String expected) {
    if (expected == null) {
      return false;
    }
    String header = ctx.header("Authorization");
    String given =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).strip()
            : null;
    // Constant time: the comparison does not tell how much of a guess was right.
    return given != null
        && MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private BearerTokens() {}
}
