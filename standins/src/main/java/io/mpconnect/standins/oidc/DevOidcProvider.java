package io.mpconnect.standins.oidc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;

/**
 * A development OpenID Connect provider (no.nav.security mock-oauth2-server) with an interactive
 * login page, for the developer mode and tests. Any client id and secret are accepted, any
 * redirect URI, any issuer id in the path.
 *
 * <p><b>Issuer.</b> {@link #issuerUrl} is {@code http://127.0.0.1:<port>/<issuerId>}. The server
 * builds {@code iss} from the Host header of each request, so clients must use 127.0.0.1 (not
 * localhost) for discovery, the token endpoint and the browser redirect alike. The discovery
 * document is at {@code <issuer>/.well-known/openid-configuration}; the endpoints are
 * {@code <issuer>/authorize}, {@code <issuer>/token}, {@code <issuer>/jwks}, {@code
 * <issuer>/userinfo}, {@code <issuer>/endsession}.
 *
 * <p><b>Login.</b> {@code GET <issuer>/authorize?response_type=code&client_id=..&redirect_uri=..
 * &scope=openid%20email&state=..&nonce=..&code_challenge=..&code_challenge_method=S256} answers
 * 200 with an HTML page whose {@code <form method="post">} has no {@code action}: it posts back to
 * the very same URL, query string included. Its fields:
 *
 * <ul>
 *   <li>{@code username} (required, {@code input[name=username]}): becomes {@code sub};
 *   <li>{@code claims} (optional, {@code textarea[name=claims]}): a JSON object merged into the ID
 *       and access tokens, e.g. {@code {"name": "Owner"}}.
 * </ul>
 *
 * <p>The submit button is {@code input[type=submit]} ("Sign-in"). The POST, {@code
 * application/x-www-form-urlencoded}, answers 302 to {@code redirect_uri?code=..&state=..}.
 *
 * <p><b>Claims.</b> The ID token carries {@code iss}, {@code sub} (the username), {@code aud}
 * (the client id), {@code nonce} (as sent to authorize), {@code azp}, {@code tid}, {@code iat},
 * {@code exp}. When the username contains {@code @} and the typed claims have no {@code email},
 * this provider adds {@code "email": <username>, "email_verified": true} (mock-oauth2-server
 * alone does not). With another username there is no e-mail claim.
 *
 * <p><b>Token endpoint.</b> {@code POST <issuer>/token} with {@code grant_type=authorization_code},
 * {@code code}, {@code redirect_uri}, {@code code_verifier}, and client authentication
 * (client_secret_basic, or {@code client_id} [+ {@code client_secret}] in the form). The PKCE
 * verifier is checked when sent, but a missing one is accepted: clients must always send it.
 */
public final class DevOidcProvider implements AutoCloseable {
  /** The issuer id the developer mode uses: issuer {@code http://127.0.0.1:<port>/dev}. */
  public static final String DEFAULT_ISSUER_ID = "dev";

  private MockOAuth2Server server;
  private int port;

  /** Listens on 127.0.0.1:{@code port}; 0 picks a free port. */
  public synchronized DevOidcProvider start(int port) {
    if (server != null) {
      throw new IllegalStateException("already started on port " + this.port);
    }
    OAuth2Config config = new OAuth2Config(true);
    MockOAuth2Server started = new MockOAuth2Server(config, new EmailClaimRoute(config));
    try {
      started.start(InetAddress.getByName("127.0.0.1"), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    this.server = started;
    this.port = started.baseUrl().port();
    return this;
  }

  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return port;
  }

  /** {@code http://127.0.0.1:<port>/<issuerId>}: exactly the {@code iss} of its tokens. */
  public String issuerUrl(String issuerId) {
    return "http://127.0.0.1:" + port() + "/" + issuerId;
  }

  public String discoveryUrl(String issuerId) {
    return issuerUrl(issuerId) + "/.well-known/openid-configuration";
  }

  /** Waits this long for the server to stop (keep-alive connections hold it about 5 s). */
  private static final long STOP_WAIT_MILLIS = 1000;

  @Override
  public synchronized void close() {
    if (server != null) {
      // Bounded: a process stopping must not wait on browsers' idle connections.
      MockOAuth2Server stopping = server;
      Thread stopper = new Thread(stopping::shutdown, "dev-oidc-stop");
      stopper.setDaemon(true);
      stopper.start();
      try {
        stopper.join(STOP_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server = null;
    }
  }
}
