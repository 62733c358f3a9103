package io.mpconnect.api.web;

import io.javalin.http.Context;
import java.time.Duration;

/** Set-Cookie headers with the attributes every cookie of ours needs. */
public final class Cookies {
  /**
   * HttpOnly and SameSite=Lax: Lax still sends the cookie on the top-level GET that follows AWS's
   * cross-site POST and the provider's redirect back, and withholds it from cross-site POSTs.
   */
  public static void set(Context ctx, String name, String value, String path, Duration maxAge,
      boolean secure) {
    ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=" + path + "; Max-Age="
        + maxAge.toSeconds() + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""));
  }

  public static void clear(Context ctx, String name, String path, boolean secure) {
    set(ctx, name, "", path, Duration.ZERO, secure);
  }

  private Cookies() {}
}
