package io.mpconnect.api.auth;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.onboarding.Onboardings;
import io.mpconnect.api.onboarding.Onboardings.UpdateOutcome;
import io.mpconnect.api.session.CookieSigner;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Frame;
import io.mpconnect.api.web.Pages;
import io.mpconnect.api.web.Templates;
import io.mpconnect.workflows.messages.IdentityRef;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.temporal.client.WorkflowException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OIDC sign-in for an onboarding. The identity that reaches the workflow is only what the
 * validated ID token proved; everything else the browser sends is checked against the signed
 * login-state cookie.
 */
public final class AuthRoutes {
  private static final Logger log = LoggerFactory.getLogger(AuthRoutes.class);
  static final Duration AUTHENTICATE_WAIT = Duration.ofSeconds(10);

  private final ApiSettings settings;
  private final OidcClient oidc;
  private final Onboardings onboardings;
  private final Sessions sessions;
  private final LoginState.Store loginStates;

  public AuthRoutes(ApiSettings settings, OidcClient oidc, Onboardings onboardings,
      Sessions sessions, CookieSigner signer, Clock clock) {
    this.settings = settings;
    this.oidc = oidc;
    this.onboardings = onboardings;
    this.sessions = sessions;
    this.loginStates = new LoginState.Store(signer, settings.secureCookies(), clock);
  }

  public void register(Javalin app) {
    app.get("/auth/{provider}/login", this::login);
    app.get("/auth/{provider}/callback", this::callback);
  }

  /**
   * Starts a sign-in: for an onboarding ({@code ?onboarding=<id>}, which this browser's session
   * must name), or for the console ({@code ?next=<local path>}, no onboarding involved).
   */
  private void login(Context ctx) {
    OidcProviderSettings provider = settings.provider(ctx.pathParam("provider"));
    String onboarding = ctx.queryParam("onboarding");
    String next = onboarding == null ? ctx.queryParam("next") : null;
    // Any browser may sign in to an onboarding (to resume it elsewhere, or after signing out):
    // the callback lets only the identity the onboarding belongs to in (see resumes()).
    boolean forOnboarding = OnboardingIds.isWellFormed(onboarding);
    if (provider == null || !(forOnboarding || ReturnPath.isSafe(next))) {
      Pages.notFound(ctx);
      return;
    }
    if (!forOnboarding) {
      onboarding = null;
    }
    OidcClient.Authorization authorization;
    try {
      authorization = oidc.authorize(provider);
    } catch (OidcClient.SignInException e) {
      log.warn("sign-in with {} unavailable: {}", provider.key(), e.getMessage());
      Templates.respond(ctx, 503, "auth/unavailable.jte",
          backLink(onboarding, next, "provider", provider.displayName()));
      return;
    }
    loginStates.write(ctx, loginStates.create(authorization, onboarding, provider.key(), next));
    ctx.redirect(authorization.redirect().toString(), HttpStatus.FOUND);
  }

  private void callback(Context ctx) {
    OidcProviderSettings provider = settings.provider(ctx.pathParam("provider"));
    if (provider == null) {
      Pages.notFound(ctx);
      return;
    }
    Optional<LoginState> taken = loginStates.take(ctx);
    if (taken.isEmpty() || !taken.get().provider().equals(provider.key())) {
      fail(ctx, null, "no or expired login state");
      return;
    }
    LoginState login = taken.get();
    if (login.onboarding() == null) {
      consoleCallback(ctx, provider, login);
      return;
    }
    if (ctx.queryParam("error") != null) {
      fail(ctx, login.onboarding(), "provider answered an error");
      return;
    }
    String state = ctx.queryParam("state");
    String code = ctx.queryParam("code");
    if (state == null || code == null || !MessageDigest.isEqual(
        state.getBytes(StandardCharsets.UTF_8), login.state().getBytes(StandardCharsets.UTF_8))) {
      fail(ctx, login.onboarding(), "state mismatch or no code");
      return;
    }
    Optional<Session> session = sessions.naming(ctx, login.onboarding());
    VerifiedIdentity identity;
    try {
      identity = oidc.exchange(provider, code, login.codeVerifier(), login.nonce());
    } catch (OidcClient.SignInException e) {
      fail(ctx, login.onboarding(), e.getMessage());
      return;
    } catch (OidcClient.UnverifiedEmailException e) {
      log.info("sign-in refused for {}: unverified e-mail address",
          OnboardingIds.workflowId(login.onboarding()));
      failPage(ctx, login.onboarding(), null, e.getMessage());
      return;
    }
    if (session.isEmpty()) {
      // Another browser, or this one after its cookie expired: only the owner resumes.
      resumeElsewhere(ctx, provider, identity, login.onboarding());
      return;
    }
    UpdateOutcome outcome;
    try {
      // No polling while AWS resolves the customer: the Update itself waits in the workflow until
      // the customer is resolved (see OnboardingWorkflowImpl.authenticate). Polling with queries
      // cost a workflow task each and up to 200 ms per sign-in (docs/security-and-load.md).
      outcome = onboardings.authenticate(login.onboarding(), identity, AUTHENTICATE_WAIT);
    } catch (WorkflowException unavailable) {
      fail(ctx, login.onboarding(), "Temporal unavailable: " + unavailable.getClass().getSimpleName());
      return;
    }
    switch (outcome.kind()) {
      case COMPLETED, PENDING -> {
        sessions.signIn(ctx, session.get(), signedIn(provider, identity), login.onboarding());
        ctx.redirect("/signup/" + login.onboarding(), HttpStatus.SEE_OTHER);
      }
      case REJECTED -> {
        if (OnboardingWorkflowImpl.ANOTHER_IDENTITY.equals(outcome.message())) {
          anotherIdentity(ctx, login.onboarding());
        } else if (ownerSigningInAgain(login.onboarding(), identity)) {
          // Past its sign-in step (connecting): the owner signing in again resumes it.
          resume(ctx, session.get(), provider, identity, login.onboarding());
        } else {
          failPage(ctx, login.onboarding(), null, outcome.message());
        }
      }
      case NOT_FOUND -> {
        // Updates reach running workflows only: an ended onboarding's owner still gets its page.
        if (ownerSigningInAgain(login.onboarding(), identity)) {
          resume(ctx, session.get(), provider, identity, login.onboarding());
        } else {
          Pages.notFound(ctx);
        }
      }
      case FAILED -> fail(ctx, login.onboarding(), "authenticate update failed");
    }
  }

  /**
   * A sign-in for an onboarding this browser's session does not name. The identity it belongs to
   * resumes it here (after signing out, from a reminder e-mail, on another device); anyone else,
   * including anyone at all while nobody has signed in to it, is refused: the registration token
   * was posted by the browser that started it, and only a sign-in there may claim it.
   */
  private void resumeElsewhere(Context ctx, OidcProviderSettings provider,
      VerifiedIdentity identity, String onboarding) {
    boolean owner;
    try {
      owner = belongsTo(onboarding, identity);
    } catch (WorkflowException unavailable) {
      fail(ctx, onboarding, "Temporal unavailable: " + unavailable.getClass().getSimpleName());
      return;
    }
    Session session = sessions.readOrNew(ctx);
    if (owner) {
      resume(ctx, session.withOnboarding(onboarding), provider, identity, onboarding);
      return;
    }
    log.info("resume refused for {}: it does not belong to this sign-in",
        OnboardingIds.workflowId(onboarding));
    // Signed in for the console only, so the refusal's link to their organizations works.
    sessions.signIn(ctx, session, signedIn(provider, identity), null);
    Copy copy = Copy.english();
    Frame frame = new Frame(
        copy.plain("signup.title", copy.plain("auth.notYours.title"), settings.vendorName()),
        settings.vendorName(), true, null, 0, null, null);
    Templates.respond(ctx, 403, "auth/not-yours.jte",
        Templates.params("f", frame, "email", identity.email()));
  }

  private boolean ownerSigningInAgain(String onboarding, VerifiedIdentity identity) {
    try {
      return belongsTo(onboarding, identity);
    } catch (WorkflowException unavailable) {
      return false;
    }
  }

  private boolean belongsTo(String onboarding, VerifiedIdentity identity) {
    IdentityRef owner = onboardings.signedInAs(onboarding);
    return owner != null && owner.equals(IdentityRef.of(identity));
  }

  /** The session, signed in to the onboarding as its owner, goes to its page. */
  private void resume(Context ctx, Session session, OidcProviderSettings provider,
      VerifiedIdentity identity, String onboarding) {
    log.info("onboarding resumed by its owner: {}", OnboardingIds.workflowId(onboarding));
    sessions.signIn(ctx, session, signedIn(provider, identity), onboarding);
    ctx.redirect("/signup/" + onboarding, HttpStatus.SEE_OTHER);
  }

  /**
   * The onboarding is bound to the identity that signed in first; this one is another. The
   * session stays as it was (not signed in as this identity).
   */
  private static void anotherIdentity(Context ctx, String onboarding) {
    log.info("sign-in refused for {}: the onboarding belongs to another sign-in",
        OnboardingIds.workflowId(onboarding));
    Templates.respond(ctx, 409, "auth/another-identity.jte",
        Templates.params("onboarding", onboarding));
  }

  /** A console sign-in: the session remembers who signed in; no onboarding is involved. */
  private void consoleCallback(Context ctx, OidcProviderSettings provider, LoginState login) {
    String next = ReturnPath.isSafe(login.next()) ? login.next() : null;
    if (next == null || ctx.queryParam("error") != null || !matchesState(ctx, login)) {
      consoleFail(ctx, next, "provider error, state mismatch or no code");
      return;
    }
    VerifiedIdentity identity;
    try {
      identity = oidc.exchange(provider, ctx.queryParam("code"), login.codeVerifier(), login.nonce());
    } catch (OidcClient.SignInException e) {
      consoleFail(ctx, next, e.getMessage());
      return;
    } catch (OidcClient.UnverifiedEmailException e) {
      log.info("console sign-in refused: unverified e-mail address");
      failPage(ctx, null, next, e.getMessage());
      return;
    }
    sessions.signIn(ctx, sessions.readOrNew(ctx), signedIn(provider, identity), null);
    ctx.redirect(next, HttpStatus.SEE_OTHER);
  }

  private Session.SignedIn signedIn(OidcProviderSettings provider, VerifiedIdentity identity) {
    return new Session.SignedIn(provider.key(), identity.issuer(), identity.subject(),
        settings.isSupportEmail(identity.email()));
  }

  private static boolean matchesState(Context ctx, LoginState login) {
    String state = ctx.queryParam("state");
    return state != null && ctx.queryParam("code") != null && MessageDigest.isEqual(
        state.getBytes(StandardCharsets.UTF_8), login.state().getBytes(StandardCharsets.UTF_8));
  }

  private void consoleFail(Context ctx, String next, String reason) {
    log.info("console sign-in failed: {}", reason);
    failPage(ctx, null, next, null);
  }

  private void fail(Context ctx, String onboarding, String reason) {
    log.info("sign-in failed{}: {}",
        onboarding == null ? "" : " for " + OnboardingIds.workflowId(onboarding), reason);
    failPage(ctx, onboarding, null, null);
  }

  private static void failPage(Context ctx, String onboarding, String next, String detail) {
    Templates.respond(ctx, 400, "auth/failed.jte", backLink(onboarding, next, "detail", detail));
  }

  /**
   * The page's parameters with where to go back to (auth/back.jte): the sign-up, the safe return
   * path of a sign-in from the console, or AWS Marketplace.
   */
  private static Map<String, Object> backLink(String onboarding, String next, String name,
      Object value) {
    return Templates.params(name, value, "onboarding", onboarding,
        "back", onboarding == null && ReturnPath.isSafe(next) ? next : null);
  }
}
