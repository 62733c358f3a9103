package io.mpconnect.api.session;

import java.util.ArrayList;
import java.util.List;

/**
 * What one browser's session cookie says: the onboardings it registered (newest first) and who
 * signed in. No e-mail address: the cookie is readable by whoever holds it.
 *
 * @param id random; CSRF tokens derive from it
 * @param user null until a sign-in succeeded
 * @param expiresAt epoch seconds
 */
public record Session(String id, List<String> onboardings, SignedIn user, long expiresAt) {
  /** How many onboardings a session remembers; older ones drop off. */
  public static final int MAX_ONBOARDINGS = 5;

  public Session {
    onboardings = onboardings == null ? List.of() : List.copyOf(onboardings);
  }

  public boolean names(String onboardingId) {
    return onboardings.contains(onboardingId);
  }

  public Session withOnboarding(String onboardingId) {
    List<String> ids = new ArrayList<>();
    ids.add(onboardingId);
    onboardings.stream().filter(id -> !id.equals(onboardingId)).forEach(ids::add);
    return new Session(id, ids.subList(0, Math.min(ids.size(), MAX_ONBOARDINGS)), user, expiresAt);
  }

  public Session withUser(SignedIn signedIn) {
    return new Session(id, onboardings, signedIn, expiresAt);
  }

  public Session withExpiry(long epochSeconds) {
    return new Session(id, onboardings, user, epochSeconds);
  }

  /**
   * The identity an ID token proved.
   *
   * @param support its verified e-mail was on SUPPORT_EMAILS at sign-in (the codec server's
   *     check; the cookie is signed, and holds the answer rather than the address)
   */
  public record SignedIn(String provider, String issuer, String subject, boolean support) {
    public SignedIn(String provider, String issuer, String subject) {
      this(provider, issuer, subject, false);
    }
  }
}
