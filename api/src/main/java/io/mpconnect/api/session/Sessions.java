package io.mpconnect.api.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import io.mpconnect.api.web.Cookies;
import io.mpconnect.api.web.Json;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Stateless sessions in a signed cookie: nothing to store, and any api instance can read them. A
 * forged, tampered, expired or malformed cookie reads as no session.
 */
public final class Sessions {
  /** The cookie's name; {@code __Host-mpc_session} on https ({@link Cookies#name}). */
  public static final String COOKIE = "mpc_session";
  static final Duration LIFETIME = Duration.ofHours(12);
  private static final String PURPOSE = "session.v1";
  private static final SecureRandom random = new SecureRandom();

  private final CookieSigner signer;
  private final boolean secure;
  private final Clock clock;

  public Sessions(CookieSigner signer, boolean secure, Clock clock) {
    this.signer = signer;
    this.secure = secure;
    this.clock = clock;
  }

  public Optional<Session> read(Context ctx) {
    return decode(Cookies.get(ctx, COOKIE, secure));
  }

  Optional<Session> decode(String cookie) {
    Optional<byte[]> payload = signer.open(PURPOSE, cookie);
    if (payload.isEmpty()) {
      return Optional.empty();
    }
    try {
      Session session = Json.MAPPER.readValue(payload.get(), Session.class);
      if (session.id() == null || session.expiresAt() <= clock.instant().getEpochSecond()) {
        return Optional.empty();
      }
      return Optional.of(session);
    } catch (IOException malformed) {
      return Optional.empty();
    }
  }

  /** The session if it names this onboarding; otherwise the caller answers 404. */
  public Optional<Session> naming(Context ctx, String onboardingId) {
    return read(ctx).filter(s -> s.names(onboardingId));
  }

  public Session readOrNew(Context ctx) {
    return read(ctx).orElseGet(() -> new Session(newId(), List.of(), null, List.of(), 0));
  }

  /**
   * Writes the session signed in as {@code user} (to {@code onboardingId}, or to the console when
   * null) under a new id, so that an id and CSRF token known before the sign-in are worthless
   * after it (session fixation).
   */
  public void signIn(Context ctx, Session session, Session.SignedIn user, String onboardingId) {
    write(ctx, session.withSignIn(user, onboardingId).withId(newId()));
  }

  /** Writes the session signed out, under a new id. */
  public void signOut(Context ctx, Session session) {
    write(ctx, session.withoutUser().withId(newId()));
  }

  /** Writes the session back with a fresh expiry (sliding). */
  public void write(Context ctx, Session session) {
    Cookies.set(ctx, COOKIE, encode(session), LIFETIME, secure);
  }

  String encode(Session session) {
    Session renewed = session.withExpiry(clock.instant().plus(LIFETIME).getEpochSecond());
    try {
      return signer.seal(PURPOSE, Json.MAPPER.writeValueAsBytes(renewed));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a session always serializes", e);
    }
  }

  private static String newId() {
    byte[] bytes = new byte[18];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
