package io.mpconnect.api.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionsTest {
  private static final byte[] KEY = "a-session-key-of-thirty-two-bytes!!".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private final CookieSigner signer = new CookieSigner(KEY);
  private final Sessions sessions = new Sessions(signer, false, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aSessionSurvivesTheRoundTripWithItsOnboardingsAndUser() {
    Session session = new Session("sid", List.of("a".repeat(32)), null, List.of(), 0)
        .withSignIn(new Session.SignedIn("google", "https://accounts.google.com", "123"), null);

    Session read = sessions.decode(sessions.encode(session)).orElseThrow();

    assertThat(read.names("a".repeat(32))).isTrue();
    assertThat(read.user().subject()).isEqualTo("123");
    assertThat(read.expiresAt()).isEqualTo(NOW.plus(Sessions.LIFETIME).getEpochSecond());
  }

  @Test
  void anExpiredSessionReadsAsNoSession() {
    String cookie = sessions.encode(new Session("sid", List.of("a".repeat(32)), null, List.of(), 0));
    Sessions later = new Sessions(signer, false,
        Clock.fixed(NOW.plus(Sessions.LIFETIME).plus(Duration.ofSeconds(1)), ZoneOffset.UTC));

    assertThat(later.decode(cookie)).isEmpty();
  }

  @Test
  void aCookieSealedWithAnotherKeyOrForAnotherPurposeReadsAsNoSession() {
    Session session = new Session("sid", List.of("a".repeat(32)), null, List.of(), 0);
    String otherKey = new Sessions(new CookieSigner("another-key-of-thirty-two-bytes!!!!".getBytes()),
        false, Clock.fixed(NOW, ZoneOffset.UTC)).encode(session);
    String otherPurpose = signer.seal("oidc-login.v1", "{\"id\":\"sid\"}".getBytes());

    assertThat(sessions.decode(otherKey)).isEmpty();
    assertThat(sessions.decode(otherPurpose)).isEmpty();
    assertThat(sessions.decode(null)).isEmpty();
    assertThat(sessions.decode("")).isEmpty();
    assertThat(sessions.decode("x".repeat(10_000))).isEmpty();
  }

  @Test
  void aMacSpelledDifferentlyInBase64IsRefused() {
    String cookie = sessions.encode(new Session("sid", List.of("a".repeat(32)), null, List.of(), 0));
    // A 32-byte MAC ends in a character with two spare bits: value v and v+1 decode alike.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int value = alphabet.indexOf(cookie.charAt(cookie.length() - 1));
    String respelled = cookie.substring(0, cookie.length() - 1) + alphabet.charAt(value + 1);
    assertThat(java.util.Base64.getUrlDecoder().decode(respelled.substring(respelled.indexOf('.') + 1)))
        .isEqualTo(java.util.Base64.getUrlDecoder().decode(cookie.substring(cookie.indexOf('.') + 1)));

    assertThat(sessions.decode(cookie)).isPresent();
    assertThat(sessions.decode(respelled)).isEmpty();
  }

  @Test
  void aValidlySignedButMalformedPayloadReadsAsNoSession() {
    assertThat(sessions.decode(signer.seal("session.v1", "not json".getBytes()))).isEmpty();
    assertThat(sessions.decode(signer.seal("session.v1", "[]".getBytes()))).isEmpty();
    assertThat(sessions.decode(signer.seal("session.v1", "{}".getBytes()))).isEmpty();
  }

  @Test
  void aSessionKeepsOnlyTheNewestOnboardings() {
    Session session = new Session("sid", List.of(), null, List.of(), 0);
    for (int i = 0; i < 8; i++) {
      session = session.withOnboarding(Integer.toString(i).repeat(32));
    }
    session = session.withOnboarding("7".repeat(32));

    assertThat(session.onboardings()).hasSize(Session.MAX_ONBOARDINGS)
        .startsWith("7".repeat(32)).doesNotContain("0".repeat(32), "1".repeat(32), "2".repeat(32));
  }

  @Test
  void csrfTokensDifferBetweenSessions() {
    Csrf csrf = new Csrf(signer);
    assertThat(csrf.token(new Session("one", List.of(), null, List.of(), 0)))
        .isNotEqualTo(csrf.token(new Session("two", List.of(), null, List.of(), 0)))
        .isEqualTo(csrf.token(new Session("one", List.of("x"), null, List.of(), 5)));
  }
}
