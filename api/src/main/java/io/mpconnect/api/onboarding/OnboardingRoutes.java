package io.mpconnect.api.onboarding;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.session.Csrf;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Json;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.client.WorkflowException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** The JSON API of one onboarding, for the browser session that registered it. */
public final class OnboardingRoutes {
  static final Duration CONNECT_WAIT = Duration.ofSeconds(10);

  private final Onboardings onboardings;
  private final Sessions sessions;
  private final Csrf csrf;

  public OnboardingRoutes(Onboardings onboardings, Sessions sessions, Csrf csrf) {
    this.onboardings = onboardings;
    this.sessions = sessions;
    this.csrf = csrf;
  }

  public void register(Javalin app) {
    app.get("/api/onboardings/{id}", this::view);
    app.post("/api/onboardings/{id}/connect", this::connect);
  }

  private void view(Context ctx) {
    String id = ctx.pathParam("id");
    Optional<Session> session = owningSession(ctx, id);
    if (session.isEmpty()) {
      return;
    }
    Optional<OnboardingView> view = query(ctx, id);
    if (view.isPresent() && !Onboardings.visibleTo(view.get(), session.get(), id)) {
      notFound(ctx);
      return;
    }
    view.ifPresent(v -> ctx.json(ViewJson.of(v, csrf.token(session.get()))));
  }

  private void connect(Context ctx) {
    String id = ctx.pathParam("id");
    Optional<Session> session = owningSession(ctx, id);
    if (session.isEmpty()) {
      return;
    }
    if (!csrf.valid(ctx, session.get())) {
      ctx.status(403).json(Json.message("Missing or wrong " + Csrf.HEADER + " header."));
      return;
    }
    if (!session.get().signedInTo(id)) {
      ctx.status(403).json(Json.message(
          "Sign in first: only the browser session that signed in can choose the organization."));
      return;
    }
    ConnectChoice choice = parseChoice(ctx);
    if (choice == null) {
      ctx.status(400).json(Json.message(
          "Send a JSON object with \"organizationId\" or \"newOrganizationName\"."));
      return;
    }
    String badName = Onboardings.nameProblem(choice);
    if (badName != null) {
      ctx.status(422).json(Json.message(badName));
      return;
    }
    Onboardings.UpdateOutcome outcome;
    try {
      outcome = onboardings.chooseOrganization(id, choice, session.get(), CONNECT_WAIT);
    } catch (WorkflowException unavailable) {
      unavailable(ctx);
      return;
    }
    String token = csrf.token(session.get());
    switch (outcome.kind()) {
      case COMPLETED ->
          ctx.status(200).json(ViewJson.of(onboardings.refresh(outcome.view()), token));
      case PENDING -> query(ctx, id).ifPresent(v -> ctx.status(202).json(ViewJson.of(v, token)));
      case REJECTED -> ctx.status(422).json(Json.message(outcome.message()));
      case NOT_FOUND -> notFound(ctx);
      case FAILED -> ctx.status(500).json(Json.message(
          "Your choice could not be processed. Reload the page and try again."));
    }
  }

  /** The session naming this onboarding; otherwise answers 404 (never revealing existence). */
  private Optional<Session> owningSession(Context ctx, String id) {
    Optional<Session> session =
        OnboardingIds.isWellFormed(id) ? sessions.naming(ctx, id) : Optional.empty();
    if (session.isEmpty()) {
      notFound(ctx);
    }
    return session;
  }

  private Optional<OnboardingView> query(Context ctx, String id) {
    try {
      Optional<OnboardingView> view = onboardings.view(id);
      if (view.isEmpty()) {
        notFound(ctx);
      }
      return view;
    } catch (WorkflowException unavailable) {
      unavailable(ctx);
      return Optional.empty();
    }
  }

  private static ConnectChoice parseChoice(Context ctx) {
    try {
      JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
      if (body == null || !body.isObject()) {
        return null;
      }
      JsonNode organizationId = body.path("organizationId");
      JsonNode newName = body.path("newOrganizationName");
      if (!textOrAbsent(organizationId) || !textOrAbsent(newName)) {
        return null;
      }
      return new ConnectChoice(organizationId.textValue(), newName.textValue());
    } catch (IOException malformed) {
      return null;
    }
  }

  private static boolean textOrAbsent(JsonNode node) {
    return node.isMissingNode() || node.isNull() || node.isTextual();
  }

  private static void notFound(Context ctx) {
    ctx.status(404).json(Json.message("No such onboarding."));
  }

  private static void unavailable(Context ctx) {
    ctx.status(503).json(Json.message("The onboarding service is busy; try again in a moment."));
  }
}
