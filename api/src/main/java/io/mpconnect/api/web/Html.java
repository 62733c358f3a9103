package io.mpconnect.api.web;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.Base64;

/** Escaping and the page frame. Every string that did not come from this code is escaped. */
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
        "default-src 'self'; script-src 'nonce-" + nonce + "'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; object-src 'none';"
            + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
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
    return document(new Document(title, null, null,
        "<section class=\"card\">\n<h1 tabindex=\"-1\">" + escape(title) + "</h1>\n" + body
            + "\n</section>",
        "", ""));
  }

  /**
   * What a page that waits on something outside the browser needs in its {@code <head>}: a
   * {@code <meta>} refresh only for browsers without scripts (a timed reload is an accessibility
   * failure, WCAG 2.2.1). Put {@link #refreshScript} at the end of the body and mark the waiting
   * element with {@code data-refresh} (seconds) and {@code data-refresh-key} (the state): the
   * script reloads only when the fetched page's key differs.
   */
  public static String refreshWithoutScript(int seconds) {
    return "<noscript><meta http-equiv=\"refresh\" content=\"" + seconds + "\"></noscript>";
  }

  public static String refreshScript(Context ctx) {
    return "<script nonce=\"" + escape(nonce(ctx)) + "\" src=\"" + Assets.url(Assets.REFRESH_SCRIPT)
        + "\" defer></script>\n";
  }

  /**
   * The frame of every page: one small stylesheet, a header with the brand, the main content.
   * All parts but {@code title} and {@code brand} are trusted HTML built with {@link #escape}.
   *
   * @param brand the vendor's name for the header, or null for none
   * @param headerExtra HTML at the header's right-hand side (who is signed in), or null
   * @param main the content of {@code <main>}
   * @param head extra elements for {@code <head>}
   * @param scripts elements at the end of {@code <body>} (each script with the request's nonce)
   */
  public record Document(String title, String brand, String headerExtra, String main, String head,
      String scripts) {}

  public static String document(Document d) {
    StringBuilder out = new StringBuilder(2048 + d.main().length());
    out.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<meta name=\"color-scheme\" content=\"light\">")
        .append("<title>").append(escape(d.title())).append("</title>")
        .append("<link rel=\"icon\" type=\"image/svg+xml\" href=\"").append(Assets.url(Assets.FAVICON))
        .append("\">")
        .append("<link rel=\"stylesheet\" href=\"").append(Assets.url(Assets.STYLESHEET)).append("\">")
        .append(d.head() == null ? "" : d.head())
        .append("</head><body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n");
    if (d.brand() != null || d.headerExtra() != null) {
      out.append("<header class=\"top\"><div class=\"wrap\">");
      if (d.brand() != null) {
        out.append("<span class=\"brand\">").append(escape(d.brand())).append("</span>");
      }
      out.append(d.headerExtra() == null ? "" : d.headerExtra()).append("</div></header>\n");
    }
    out.append("<main id=\"main\" class=\"wrap\">\n")
        .append(d.main())
        .append("\n</main>\n")
        .append(d.scripts() == null ? "" : d.scripts())
        .append("</body></html>\n");
    return out.toString();
  }

  private Html() {}
}
