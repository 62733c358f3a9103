package io.mpconnect.api.registration;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.mpconnect.api.health.ApiMetrics;
import io.mpconnect.api.limits.OnboardingStartBudget;
import io.mpconnect.api.onboarding.Onboardings;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Templates;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.client.WorkflowException;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** AWS Marketplace's fulfillment URL: where "Set up your account" POSTs the browser. */
public final class RegistrationRoutes {
  public static final String PATH = "/marketplace/aws/register";
  static final String TOKEN_FIELD = "x-amzn-marketplace-token";
  static final String OFFER_TYPE_FIELD = "x-amzn-marketplace-offer-type";
  private static final Logger log = LoggerFactory.getLogger(RegistrationRoutes.class);

  private final Onboardings onboardings;
  private final Sessions sessions;
  private final ApiMetrics metrics;
  private final String listingUrl;
  private final OnboardingStartBudget startBudget;

  public RegistrationRoutes(Onboardings onboardings, Sessions sessions, ApiMetrics metrics,
      String listingUrl, OnboardingStartBudget startBudget) {
    this.onboardings = onboardings;
    this.sessions = sessions;
    this.metrics = metrics;
    this.listingUrl = listingUrl;
    this.startBudget = startBudget;
  }

  public void register(Javalin app) {
    app.post(PATH, this::registration);
  }

  private void registration(Context ctx) {
    String contentType = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (!contentType.startsWith("application/x-www-form-urlencoded")) {
      reject(ctx, "content type");
      return;
    }
    Map<String, String> form;
    try {
      form = FormBody.parse(ctx.bodyAsBytes());
    } catch (FormBody.MalformedFormException e) {
      reject(ctx, "malformed form (" + e.getMessage() + ")");
      return;
    }
    String token = form.get(TOKEN_FIELD);
    RegistrationTokens.Problem problem = RegistrationTokens.problemWith(token);
    if (problem != null) {
      reject(ctx, problem.name());
      return;
    }
    String onboardingId = OnboardingIds.fromToken(token);
    // An onboarding belongs to the browser whose POST started it: its session cookie (signed)
    // names it. That browser posting again (a refresh, a double submit that carried the cookie)
    // goes to its page and starts nothing; no Temporal call.
    if (sessions.naming(ctx, onboardingId).isPresent()) {
      metrics.registration("accepted");
      ctx.redirect("/signup/" + onboardingId, HttpStatus.SEE_OTHER);
      return;
    }
    // Everyone else spends the global budget, so a flood of tokens cannot become a flood of
    // workflows.
    if (!startBudget.admit(ctx, PATH, TOKEN_FIELD, token)) {
      metrics.registration("deferred");
      return;
    }
    boolean started;
    try {
      started = onboardings.start(
          onboardingId, token, RegistrationTokens.offerType(form.get(OFFER_TYPE_FIELD)));
    } catch (WorkflowException unavailable) {
      // The cause is a gRPC status (e.g. unreachable, unknown search attribute): no token in it.
      log.warn("could not start {}: {}", OnboardingIds.workflowId(onboardingId),
          unavailable.getCause() == null ? unavailable.getClass().getSimpleName() : unavailable.getCause().toString());
      Templates.respond(ctx, 503, "registration/unavailable.jte",
          Templates.params("listingUrl", listingUrl));
      return;
    }
    if (!started) {
      inProgressElsewhere(ctx, onboardingId);
      return;
    }
    metrics.registration("accepted");
    sessions.write(ctx, sessions.readOrNew(ctx).withOnboarding(onboardingId));
    ctx.redirect("/signup/" + onboardingId, HttpStatus.SEE_OTHER);
  }

  /**
   * The token's onboarding was started by another POST whose browser session this request does
   * not carry: another browser (someone else holding the token), or this browser before its
   * cookie arrived (a double click) or without it (AWS's cross-site POST does not carry a
   * SameSite=Lax cookie). Nothing is started and no cookie is written, so the owning browser's
   * cookie is never replaced. The link to the sign-up page works only in a browser whose cookie
   * names the onboarding; anywhere else it is a 404 that tells nothing.
   */
  private void inProgressElsewhere(Context ctx, String onboardingId) {
    log.info("registration refused: {} belongs to another browser",
        OnboardingIds.workflowId(onboardingId));
    metrics.registration("in_progress_elsewhere");
    Templates.respond(ctx, 409, "registration/elsewhere.jte",
        Templates.params("onboardingId", onboardingId, "listingUrl", listingUrl));
  }

  private void reject(Context ctx, String reason) {
    // The reason only: the token itself never reaches a log.
    log.info("registration refused: {}", reason);
    metrics.registration("rejected");
    Templates.respond(ctx, 400, "registration/refused.jte",
        Templates.params("listingUrl", listingUrl));
  }
}
