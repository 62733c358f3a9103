package io.mpconnect.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OidcIdentityTest {
  private static final OidcProviderSettings PROVIDER =
      new OidcProviderSettings("google", "https://issuer.example", "client", "secret", "Google", false);
  private static final OidcProviderSettings DEV_PROVIDER =
      new OidcProviderSettings("dev", "https://issuer.example", "client", null, "Dev", true);

  @Test
  void aVerifiedEmailAndNameAreTaken() throws Exception {
    VerifiedIdentity identity = OidcClient.identity(PROVIDER,
        claims(Map.of("email", "a@example.com", "email_verified", true, "name", "Ann")), true);
    assertThat(identity).isEqualTo(
        new VerifiedIdentity("google", "https://issuer.example", "sub-1", "a@example.com", "Ann"));
  }

  /**
   * The attack: an account at the provider with someone else's address, never verified, signs in
   * as that address (and so as the owner of that person's organizations). Refused, with a message
   * that says what to do; an absent flag is refused too when the provider advertises it.
   */
  @Test
  void anIdTokenWithAnUnverifiedEmailIsRefusedEvenAsAStringOrWhenTheAdvertisedFlagIsAbsent()
      throws Exception {
    for (Object unverified : new Object[] {false, "false", "no"}) {
      assertThatThrownBy(() -> OidcClient.identity(PROVIDER,
          claims(Map.of("email", "a@example.com", "email_verified", unverified)), false))
          .isInstanceOf(OidcClient.UnverifiedEmailException.class)
          .hasMessage("Your e-mail address at Google is not verified. Verify it with Google, then"
              + " sign in again.");
    }
    assertThatThrownBy(() -> OidcClient.identity(PROVIDER,
        claims(Map.of("email", "a@example.com")), true))
        .isInstanceOf(OidcClient.UnverifiedEmailException.class);
    assertThat(OidcClient.identity(PROVIDER, claims(Map.of("email", "a@example.com")), false)
        .email()).isEqualTo("a@example.com");
    assertThat(OidcClient.identity(PROVIDER,
        claims(Map.of("email", "a@example.com", "email_verified", "true")), true).email())
        .isEqualTo("a@example.com");
  }

  @Test
  void theSubjectStandsInForAMissingEmailOnlyWhenConfigured() throws Exception {
    assertThat(OidcClient.identity(PROVIDER, claims(Map.of()), false).email()).isNull();
    VerifiedIdentity dev = OidcClient.identity(DEV_PROVIDER, claims(Map.of()), false);
    assertThat(dev.email()).isEqualTo("sub-1");
  }

  /**
   * A provider that sends no name leaves the display name null, so that signing in keeps the name
   * the user already has (the e-mail address used to replace it).
   */
  @Test
  void withoutANameClaimTheDisplayNameIsNullNotTheEmail() throws Exception {
    VerifiedIdentity identity = OidcClient.identity(PROVIDER,
        claims(Map.of("email", "a@example.com", "email_verified", true)), true);
    assertThat(identity.email()).isEqualTo("a@example.com");
    assertThat(identity.displayName()).isNull();
    assertThat(OidcClient.identity(PROVIDER, claims(Map.of("name", "  ")), false).displayName())
        .isNull();
    assertThat(OidcClient.identity(DEV_PROVIDER, claims(Map.of()), false).displayName()).isNull();
  }

  private static IDTokenClaimsSet claims(Map<String, Object> extra) throws Exception {
    JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
        .issuer("https://issuer.example")
        .subject("sub-1")
        .audience("client")
        .issueTime(new Date())
        .expirationTime(new Date(System.currentTimeMillis() + 60_000));
    extra.forEach(builder::claim);
    return new IDTokenClaimsSet(builder.build());
  }
}
