package io.mpconnect.api.session;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * CSRF tokens derived from the session id with the session key: nothing to store, and a token is
 * useless with another browser's session. The page reads it from the view JSON.
 */
public final class Csrf {
  public static final String HEADER = "X-CSRF-Token";
  /** The hidden field of plain HTML forms, which cannot send headers. */
  public static final String FIELD = "csrf";

  private final CookieSigner signer;

  public Csrf(CookieSigner signer) {
    this.signer = signer;
  }

  public String token(Session session) {
    return signer.derive("csrf.v1", session.id());
  }

  /** True when the request carries this session's token in {@link #HEADER}. */
  public boolean valid(Context ctx, Session session) {
    return matches(ctx.header(HEADER), session);
  }

  /** True when {@code given} (e.g. a form's {@link #FIELD}) is this session's token. */
  public boolean matches(String given, Session session) {
    return given != null
        && MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8),
            token(session).getBytes(StandardCharsets.UTF_8));
  }
}
