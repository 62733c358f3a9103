package io.mpconnect.api.onboarding;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.session.Csrf;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Assets;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Frame;
import io.mpconnect.api.web.Html;
import io.mpconnect.api.web.Pages;
import io.mpconnect.api.web.Templates;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.client.WorkflowException;
import java.util.List;
import java.util.Optional;

/**
 * The AWS-specific sign-up page, {@code /signup/{id}}, for the browser session that registered
 * the onboarding. The server renders whatever state the workflow is in, so a refresh or the back
 * button always shows the right one; {@code signup.js} polls the JSON view and fetches the page
 * again when it changes, and sends the choice to the JSON API. Without the script, the page
 * refreshes itself while the workflow works and the form posts here.
 */
public final class SignupPage {
  private final Onboardings onboardings;
  private final Sessions sessions;
  private final Csrf csrf;
  private final SignupHtml html;
  private final String vendorName;
  private final List<OidcProviderSettings> providers;

  public SignupPage(Onboardings onboardings, Sessions sessions, Csrf csrf,
      List<OidcProviderSettings> providers, String vendorName, String listingUrl) {
    this.onboardings = onboardings;
    this.sessions = sessions;
    this.csrf = csrf;
    this.vendorName = vendorName;
    this.providers = providers;
    this.html = new SignupHtml(new SignupHtml.Settings(vendorName, providers, listingUrl));
  }

  public void register(Javalin app) {
    app.get("/signup/{id}", this::show);
    app.post("/signup/{id}", this::submit);
  }

  private void show(Context ctx) {
    String id = ctx.pathParam("id");
    if (!OnboardingIds.isWellFormed(id)) {
      Pages.notFound(ctx);
      return;
    }
    Optional<Session> session = sessions.naming(ctx, id);
    if (session.isEmpty()) {
      // Another browser, or this one after its cookie expired (a reminder e-mail's link): offer
      // to sign in, whether or not the onboarding exists; the sign-in lets only its owner in.
      signInToContinue(ctx, id);
      return;
    }
    view(ctx, id).ifPresent(v -> {
      if (Onboardings.visibleTo(v, session.get(), id)) {
        page(ctx, 200, v, session.get(), SignupHtml.Form.EMPTY);
      } else {
        signInToContinue(ctx, id);
      }
    });
  }

  private void signInToContinue(Context ctx, String id) {
    Templates.respond(ctx, 200, "signup/continue-page.jte", Templates.params(
        "f", frame(ctx, "signup.continue.title", 0, null),
        "providers", providers, "onboardingId", id));
  }

  /** The form's own submission, for browsers without the script; the script uses the JSON API. */
  private void submit(Context ctx) {
    String id = ctx.pathParam("id");
    Optional<Session> session = owningSession(id, ctx);
    if (session.isEmpty()) {
      Pages.notFound(ctx);
      return;
    }
    if (!csrf.matches(ctx.formParam(Csrf.FIELD), session.get())) {
      Templates.respond(ctx, 403, "signup/form-expired.jte", Templates.params("onboardingId", id));
      return;
    }
    if (!session.get().signedInTo(id)) {
      Templates.respond(ctx, 403, "signup/sign-in-first.jte", Templates.params("onboardingId", id));
      return;
    }
    String choice = ctx.formParam("choice");
    String newName = ctx.formParam("newName");
    ConnectChoice connect = choice == null || choice.isBlank() ? null
        : "new".equals(choice) ? new ConnectChoice(null, newName == null ? "" : newName)
        : new ConnectChoice(choice, null);
    if (connect == null) {
      refuse(ctx, id, session.get(),
          new SignupHtml.Form("Choose an organization, or create a new one.", null, newName));
      return;
    }
    String badName = Onboardings.nameProblem(connect);
    if (badName != null) {
      refuse(ctx, id, session.get(), new SignupHtml.Form(badName, choice, newName));
      return;
    }
    Onboardings.UpdateOutcome outcome;
    try {
      outcome = onboardings.chooseOrganization(id, connect, session.get(), OnboardingRoutes.CONNECT_WAIT);
    } catch (WorkflowException unavailable) {
      busy(ctx);
      return;
    }
    switch (outcome.kind()) {
      case COMPLETED, PENDING -> ctx.redirect("/signup/" + id, HttpStatus.SEE_OTHER);
      case REJECTED -> refuse(ctx, id, session.get(),
          new SignupHtml.Form(outcome.message(), choice, newName));
      case NOT_FOUND -> Pages.notFound(ctx);
      case FAILED -> refuse(ctx, id, session.get(), new SignupHtml.Form(
          "Your choice could not be processed. Reload the page and try again.", choice, newName));
    }
  }

  private void refuse(Context ctx, String id, Session session, SignupHtml.Form form) {
    view(ctx, id).ifPresent(v -> page(ctx, 422, v, session, form));
  }

  private Optional<Session> owningSession(String id, Context ctx) {
    return OnboardingIds.isWellFormed(id) ? sessions.naming(ctx, id) : Optional.empty();
  }

  private Optional<OnboardingView> view(Context ctx, String id) {
    try {
      Optional<OnboardingView> view = onboardings.view(id);
      if (view.isEmpty()) {
        Pages.notFound(ctx);
      }
      return view;
    } catch (WorkflowException unavailable) {
      busy(ctx);
      return Optional.empty();
    }
  }

  private void busy(Context ctx) {
    Templates.respond(ctx, 503, "signup/busy.jte",
        Templates.params("f", frame(ctx, "signup.busy.title", 3, Assets.REFRESH_SCRIPT)));
  }

  private void page(Context ctx, int status, OnboardingView v, Session session,
      SignupHtml.Form form) {
    int poll = SignupHtml.pollMillis(v);
    // Without the script, a page that is waiting on the workflow refreshes itself.
    int refresh = poll > 0 && poll < SignupHtml.IDLE_POLL_MILLIS ? Math.max(2, poll / 1000) : 0;
    Templates.respond(ctx, status, "signup/page.jte", Templates.params(
        "f", new Frame(html.title(v), vendorName, true, null, refresh,
            Assets.url(Assets.SIGNUP_SCRIPT), Html.nonce(ctx)),
        "s", html.view(v, csrf.token(session), form)));
  }

  /** The frame of the sign-up's other pages: the title's key, the vendor, the badge. */
  private Frame frame(Context ctx, String titleKey, int refreshSeconds, String script) {
    Copy copy = Copy.english();
    return new Frame(copy.plain("signup.title", copy.plain(titleKey), vendorName), vendorName,
        true, null, refreshSeconds, script == null ? null : Assets.url(script),
        script == null ? null : Html.nonce(ctx));
  }
}
