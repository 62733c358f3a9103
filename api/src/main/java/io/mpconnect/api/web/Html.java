package io.mpconnect.api.web;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.Base64;

/** Escaping and the plain page frame. Every string that did not come from this code is escaped. */
public final class Html {
  private static final String NONCE_ATTRIBUTE = "mpconnect.cspNonce";
  private static final SecureRandom random = new SecureRandom();

  public static String escape(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Sets a per-request script nonce and the headers every page carries. */
  public static void securityHeaders(Context ctx) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String nonce = Base64.getEncoder().encodeToString(bytes);
    ctx.attribute(NONCE_ATTRIBUTE, nonce);
    ctx.header("Content-Security-Policy",
        "default-src 'self'; script-src 'nonce-" + nonce + "'; style-src 'unsafe-inline';"
            + " img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    // The sign-up URL names an onboarding: keep it out of other sites' logs.
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }

  public static String nonce(Context ctx) {
    String nonce = ctx.attribute(NONCE_ATTRIBUTE);
    return nonce == null ? "" : nonce;
  }

  /** A whole page; {@code body} is trusted HTML built with {@link #escape}. */
  public static String page(String title, String body) {
    return page(title, body, 0);
  }

  /** A page that reloads itself after {@code refreshSeconds} (0: never). */
  public static String page(String title, String body, int refreshSeconds) {
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + (refreshSeconds > 0
            ? "<meta http-equiv=\"refresh\" content=\"" + refreshSeconds + "\">"
            : "")
        + "<title>" + escape(title) + "</title>"
        + "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;"
        + "padding:0 1rem;line-height:1.5}.error{color:#a00}.muted{color:#666}"
        + "li{margin:.3rem 0}button,.button{padding:.4rem .9rem}</style>"
        + "</head><body>\n<h1>" + escape(title) + "</h1>\n" + body + "\n</body></html>\n";
  }

  private Html() {}
}
