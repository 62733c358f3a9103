package io.mpconnect.api.web;

import io.javalin.http.Context;
import java.time.Duration;

/** Set-Cookie headers with the attributes every cookie of ours needs, and their names. */
public final class Cookies {
  /**
   * On https a cookie is {@code __Host-<name>}: browsers accept it only Secure, with Path=/ and
   * without Domain, so neither a sibling subdomain nor a plain-http page can set or overwrite it
   * (one way to plant a session). Plain http (development) cannot use the prefix.
   */
  public static String name(String name, boolean secure) {
    return secure ? "__Host-" + name : name;
  }

  public static String get(Context ctx, String name, boolean secure) {
    return ctx.cookie(name(name, secure));
  }

  /**
   * HttpOnly and SameSite=Lax: Lax still sends the cookie on the top-level GET that follows AWS's
   * cross-site POST and the provider's redirect back, and withholds it from cross-site POSTs.
   * Path=/ and no Domain always (what {@code __Host-} requires).
   */
  public static void set(Context ctx, String name, String value, Duration maxAge, boolean secure) {
    ctx.res().addHeader("Set-Cookie", name(name, secure) + "=" + value + "; Path=/; Max-Age="
        + maxAge.toSeconds() + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""));
  }

  public static void clear(Context ctx, String name, boolean secure) {
    set(ctx, name, "", Duration.ZERO, secure);
  }

  private Cookies() {}
}
