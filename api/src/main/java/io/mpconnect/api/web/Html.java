package io.mpconnect.api.web;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The headers every page carries and its script nonce. The pages themselves are jte templates
 * (api/src/main/jte, {@link Templates}), HTML-escaped by default.
 */
public final class Html {
  private static final String NONCE_ATTRIBUTE = "mpconnect.cspNonce";
  private static final SecureRandom random = new SecureRandom();

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

  private Html() {}
}
