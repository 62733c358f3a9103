package io.mpconnect.api.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relying-party side of OIDC: discovery (cached; retried on the next sign-in while the
 * provider is down), authorization requests with PKCE, and the code exchange whose ID token is
 * validated before anything from it is believed.
 */
public final class OidcClient {
  private static final Logger log = LoggerFactory.getLogger(OidcClient.class);
  private static final int TIMEOUT_MILLIS = 5_000;

  private final String publicBaseUrl;
  private final Map<String, Discovered> discovered = new ConcurrentHashMap<>();

  public OidcClient(String publicBaseUrl) {
    this.publicBaseUrl = publicBaseUrl;
  }

  /** Thrown for anything that makes a sign-in fail; the message is for logs, not for users. */
  public static final class SignInException extends Exception {
    public SignInException(String message) {
      super(message);
    }

    public SignInException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The ID token names an e-mail address its provider has not verified (anyone can type any
   * address at some providers): it is not believed, and the sign-in is refused. The message is
   * for the user.
   */
  public static final class UnverifiedEmailException extends Exception {
    UnverifiedEmailException(String providerName) {
      super("Your e-mail address at " + providerName + " is not verified. Verify it with "
          + providerName + ", then sign in again.");
    }
  }

  /** A pending sign-in: where to send the browser, and the secrets to check the answer with. */
  public record Authorization(URI redirect, String state, String nonce, String codeVerifier) {}

  public Authorization authorize(OidcProviderSettings provider) throws SignInException {
    Discovered d = discover(provider);
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    AuthenticationRequest request =
        new AuthenticationRequest.Builder(
                ResponseType.CODE,
                new Scope("openid", "email", "profile"),
                new ClientID(provider.clientId()),
                redirectUri(provider))
            .endpointURI(d.metadata().getAuthorizationEndpointURI())
            .state(state)
            .nonce(nonce)
            .codeChallenge(verifier, CodeChallengeMethod.S256)
            .build();
    return new Authorization(request.toURI(), state.getValue(), nonce.getValue(), verifier.getValue());
  }

  /** Exchanges the code and returns only what the validated ID token proves. */
  public VerifiedIdentity exchange(OidcProviderSettings provider, String code, String codeVerifier,
      String nonce) throws SignInException, UnverifiedEmailException {
    Discovered d = discover(provider);
    try {
      AuthorizationCodeGrant grant =
          new AuthorizationCodeGrant(
              new AuthorizationCode(code), redirectUri(provider), new CodeVerifier(codeVerifier));
      URI tokenEndpoint = d.metadata().getTokenEndpointURI();
      TokenRequest request =
          provider.clientSecret() == null
              ? new TokenRequest(tokenEndpoint, new ClientID(provider.clientId()), grant)
              : new TokenRequest(tokenEndpoint, clientAuthentication(provider, d.metadata()), grant);
      HTTPRequest http = request.toHTTPRequest();
      http.setConnectTimeout(TIMEOUT_MILLIS);
      http.setReadTimeout(TIMEOUT_MILLIS);
      TokenResponse response = OIDCTokenResponseParser.parse(http.send());
      if (!response.indicatesSuccess()) {
        throw new SignInException(
            "token endpoint refused the code: " + response.toErrorResponse().getErrorObject().getCode());
      }
      JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
      if (idToken == null) {
        throw new SignInException("the token response has no ID token");
      }
      IDTokenClaimsSet claims = d.validator().validate(idToken, new Nonce(nonce));
      List<String> supported = d.metadata().getClaims();
      return identity(provider, claims, supported != null && supported.contains("email_verified"));
    } catch (SignInException | UnverifiedEmailException e) {
      throw e;
    } catch (Exception e) {
      throw new SignInException("code exchange or ID token validation failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * What the ID token proves. Its e-mail address is believed only when {@code email_verified} is
   * true, or absent from a provider that does not advertise the claim (some providers issue only
   * addresses they verified and never send it). False (also as the string "false"), or absent
   * although the provider lists {@code email_verified} in {@code claims_supported}: refused.
   *
   * @param verificationAdvertised the provider's discovery document lists {@code email_verified}
   */
  static VerifiedIdentity identity(OidcProviderSettings provider, IDTokenClaimsSet claims,
      boolean verificationAdvertised) throws UnverifiedEmailException {
    String subject = claims.getSubject().getValue();
    String email = stringClaim(claims, "email");
    Object verified = claims.getClaim("email_verified");
    if (email != null && (verified == null
        ? verificationAdvertised
        : !(Boolean.TRUE.equals(verified) || "true".equalsIgnoreCase(String.valueOf(verified))))) {
      throw new UnverifiedEmailException(provider.displayName());
    } else if (email == null && provider.emailFromSubject()) {
      email = subject;
    }
    // No name claim: null, never the e-mail address, so that a sign-in keeps the name we know
    // (the repository ignores a null); pages show the e-mail only where they need a name.
    String displayName = stringClaim(claims, "name");
    return new VerifiedIdentity(
        provider.key(), claims.getIssuer().getValue(), subject, email, displayName);
  }

  /** Discovers a provider at start-up so the first sign-in is quick; failures only log. */
  public void warmUp(List<OidcProviderSettings> providers) {
    for (OidcProviderSettings provider : providers) {
      try {
        discover(provider);
      } catch (SignInException e) {
        log.warn("OIDC provider {} is not reachable yet; will retry on the first sign-in",
            provider.key());
      }
    }
  }

  private Discovered discover(OidcProviderSettings provider) throws SignInException {
    Discovered cached = discovered.get(provider.key());
    if (cached != null) {
      return cached;
    }
    try {
      Issuer issuer = new Issuer(provider.issuer());
      OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(issuer, TIMEOUT_MILLIS, TIMEOUT_MILLIS);
      IDTokenValidator validator =
          new IDTokenValidator(
              issuer,
              new ClientID(provider.clientId()),
              algorithm(metadata),
              metadata.getJWKSetURI().toURL(),
              new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS));
      Discovered d = new Discovered(metadata, validator);
      discovered.put(provider.key(), d);
      log.info("discovered OIDC provider {} at {}", provider.key(), provider.issuer());
      return d;
    } catch (Exception e) {
      throw new SignInException("discovery of " + provider.key() + " failed: " + e.getMessage(), e);
    }
  }

  private static JWSAlgorithm algorithm(OIDCProviderMetadata metadata) {
    List<JWSAlgorithm> supported = metadata.getIDTokenJWSAlgs();
    if (supported == null || supported.isEmpty() || supported.contains(JWSAlgorithm.RS256)) {
      return JWSAlgorithm.RS256;
    }
    return supported.get(0);
  }

  private static ClientAuthentication clientAuthentication(OidcProviderSettings provider,
      OIDCProviderMetadata metadata) {
    ClientID id = new ClientID(provider.clientId());
    Secret secret = new Secret(provider.clientSecret());
    List<ClientAuthenticationMethod> methods = metadata.getTokenEndpointAuthMethods();
    if (methods != null && !methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        && methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
      return new ClientSecretPost(id, secret);
    }
    return new ClientSecretBasic(id, secret);
  }

  private URI redirectUri(OidcProviderSettings provider) {
    return URI.create(publicBaseUrl + "/auth/" + provider.key() + "/callback");
  }

  private static String stringClaim(IDTokenClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    return value instanceof String s && !s.isBlank() ? s : null;
  }

  private record Discovered(OIDCProviderMetadata metadata, IDTokenValidator validator) {}
}
