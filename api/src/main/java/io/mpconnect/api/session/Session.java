package io.mpconnect.api.session;

import java.util.ArrayList;
import java.util.List;

/**
 * What one browser's session cookie says: the onboardings it registered (newest first), who
 * signed in, and the onboardings this session signed in to. No e-mail address: the cookie is
 * readable by whoever holds it.
 *
 * @param id random; CSRF tokens derive from it; a new one at every sign-in and sign-out
 * @param user null until a sign-in succeeded
 * @param signedInTo the onboardings whose sign-in this very session completed: only it may see
 *     and change them once signed in, so a cookie copied or planted before the sign-in (session
 *     fixation) is worthless after it
 * @param expiresAt epoch seconds
 */
public record Session(
    String id, List<String> onboardings, SignedIn user, List<String> signedInTo, long expiresAt) {
  /** How many onboardings a session remembers; older ones drop off. */
  public static final int MAX_ONBOARDINGS = 5;

  public Session {
    onboardings = onboardings == null ? List.of() : List.copyOf(onboardings);
    signedInTo = signedInTo == null ? List.of() : List.copyOf(signedInTo);
  }

  public boolean names(String onboardingId) {
    return onboardings.contains(onboardingId);
  }

  public boolean signedInTo(String onboardingId) {
    return signedInTo.contains(onboardingId);
  }

  public Session withOnboarding(String onboardingId) {
    return new Session(id, newestFirst(onboardings, onboardingId), user, signedInTo, expiresAt);
  }

  /** Signed in (to {@code onboardingId}, or to the console when null). */
  Session withSignIn(SignedIn signedIn, String onboardingId) {
    return new Session(id, onboardings, signedIn,
        onboardingId == null ? signedInTo : newestFirst(signedInTo, onboardingId), expiresAt);
  }

  /** Signed out: no user, and no onboarding this session may act on as signed in. */
  Session withoutUser() {
    return new Session(id, onboardings, null, List.of(), expiresAt);
  }

  Session withId(String newId) {
    return new Session(newId, onboardings, user, signedInTo, expiresAt);
  }

  public Session withExpiry(long epochSeconds) {
    return new Session(id, onboardings, user, signedInTo, epochSeconds);
  }

  private static List<String> newestFirst(List<String> ids, String first) {
    List<String> out = new ArrayList<>();
    out.add(first);
    ids.stream().filter(i -> !i.equals(first)).forEach(out::add);
    return out.subList(0, Math.min(out.size(), MAX_ONBOARDINGS));
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
