package io.mpconnect.api.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import io.mpconnect.api.session.CookieSigner;
import io.mpconnect.api.web.Cookies;
import io.mpconnect.api.web.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The secrets of one pending sign-in, kept in a short-lived signed cookie between the redirect to
 * the provider and its callback (Path=/, which the {@code __Host-} prefix on https requires).
 *
 * @param onboarding the onboarding signing in, or null for a console sign-in
 * @param next where a console sign-in returns to (a checked local path), or null
 * @param expiresAt epoch seconds
 */
record LoginState(
    String state,
    String nonce,
    String codeVerifier,
    String onboarding,
    String provider,
    long expiresAt,
    String next) {

  static final String COOKIE = "mpc_oidc";
  static final Duration LIFETIME = Duration.ofMinutes(10);
  private static final String PURPOSE = "oidc-login.v1";

  static final class Store {
    private final CookieSigner signer;
    private final boolean secure;
    private final Clock clock;

    Store(CookieSigner signer, boolean secure, Clock clock) {
      this.signer = signer;
      this.secure = secure;
      this.clock = clock;
    }

    LoginState create(OidcClient.Authorization authorization, String onboarding, String provider,
        String next) {
      return new LoginState(
          authorization.state(),
          authorization.nonce(),
          authorization.codeVerifier(),
          onboarding,
          provider,
          clock.instant().plus(LIFETIME).getEpochSecond(),
          next);
    }

    void write(Context ctx, LoginState state) {
      try {
        Cookies.set(ctx, COOKIE, signer.seal(PURPOSE, Json.MAPPER.writeValueAsBytes(state)),
            LIFETIME, secure);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("login state always serializes", e);
      }
    }

    /** The unexpired state from the cookie, and the cookie cleared: each state is used once. */
    Optional<LoginState> take(Context ctx) {
      String cookie = Cookies.get(ctx, COOKIE, secure);
      Cookies.clear(ctx, COOKIE, secure);
      Optional<byte[]> payload = signer.open(PURPOSE, cookie);
      if (payload.isEmpty()) {
        return Optional.empty();
      }
      try {
        LoginState state = Json.MAPPER.readValue(payload.get(), LoginState.class);
        return state.expiresAt() > clock.instant().getEpochSecond()
            ? Optional.of(state)
            : Optional.empty();
      } catch (IOException malformed) {
        return Optional.empty();
      }
    }
  }
}
