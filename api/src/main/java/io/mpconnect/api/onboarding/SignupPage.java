package io.mpconnect.api.onboarding;

import static io.mpconnect.api.web.Html.escape;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.session.Csrf;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Html;
import io.mpconnect.api.web.Pages;
import io.mpconnect.workflows.messages.IneligibleReason;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.client.WorkflowException;
import java.util.List;
import java.util.Optional;

/**
 * A plain server-rendered sign-up page (the real one comes later). It polls by reloading while
 * the workflow works, and posts the organization choice to the JSON API with the CSRF header.
 */
public final class SignupPage {
  private static final int POLL_SECONDS = 2;

  private final Onboardings onboardings;
  private final Sessions sessions;
  private final Csrf csrf;
  private final List<OidcProviderSettings> providers;
  private final String vendorName;

  public SignupPage(Onboardings onboardings, Sessions sessions, Csrf csrf,
      List<OidcProviderSettings> providers, String vendorName) {
    this.onboardings = onboardings;
    this.sessions = sessions;
    this.csrf = csrf;
    this.providers = providers;
    this.vendorName = vendorName;
  }

  public void register(Javalin app) {
    app.get("/signup/{id}", this::render);
  }

  private void render(Context ctx) {
    String id = ctx.pathParam("id");
    Optional<Session> session =
        OnboardingIds.isWellFormed(id) ? sessions.naming(ctx, id) : Optional.empty();
    if (session.isEmpty()) {
      Pages.notFound(ctx);
      return;
    }
    Optional<OnboardingView> view;
    try {
      view = onboardings.view(id);
    } catch (WorkflowException unavailable) {
      html(ctx, 503, "<p>We are busy setting things up. This page reloads by itself.</p>", true);
      return;
    }
    if (view.isEmpty()) {
      Pages.notFound(ctx);
      return;
    }
    OnboardingView v = view.get();
    StringBuilder body = new StringBuilder();
    if (v.customer() != null) {
      body.append("<p class=\"muted\">AWS account ").append(escape(v.customer().awsAccountId()))
          .append("</p>");
    }
    boolean poll = false;
    switch (v.step()) {
      case RESOLVING_CUSTOMER -> {
        body.append("<p>Checking your AWS Marketplace subscription&hellip;</p>");
        poll = true;
      }
      case AWAITING_AUTHENTICATION -> body
          .append("<p>Your subscription is confirmed. Sign in to connect it to your ")
          .append(escape(vendorName)).append(" organization.</p>")
          .append(signInButtons(id));
      case AWAITING_ORGANIZATION -> body.append(chooser(ctx, v, session.get()));
      case CONNECTING, CONFIRMING -> {
        body.append("<p>Connecting your organization&hellip;</p>");
        poll = true;
      }
      case DONE -> body.append(outcome(v));
    }
    if (v.message() != null && v.step() != OnboardingStep.DONE) {
      body.append("<p class=\"error\">").append(escape(v.message())).append("</p>");
    }
    html(ctx, 200, body.toString(), poll);
  }

  private String signInButtons(String id) {
    if (providers.isEmpty()) {
      return "<p class=\"error\">No sign-in method is configured. Please contact support.</p>";
    }
    StringBuilder out = new StringBuilder("<ul>");
    for (OidcProviderSettings provider : providers) {
      out.append("<li><a class=\"button\" href=\"/auth/").append(escape(provider.key()))
          .append("/login?onboarding=").append(escape(id)).append("\">Sign in with ")
          .append(escape(provider.displayName())).append("</a></li>");
    }
    return out.append("</ul>").toString();
  }

  private String chooser(Context ctx, OnboardingView v, Session session) {
    StringBuilder out = new StringBuilder();
    if (v.user() != null) {
      out.append("<p>Signed in as <strong>").append(escape(v.user().displayName()))
          .append("</strong>")
          .append(v.user().email() == null || v.user().email().equals(v.user().displayName())
              ? "" : " (" + escape(v.user().email()) + ")")
          .append(".</p>");
    }
    out.append("<form id=\"connect\" data-onboarding=\"").append(escape(v.id()))
        .append("\" data-csrf=\"").append(escape(csrf.token(session))).append("\">")
        .append("<p>Choose the organization to bill through AWS Marketplace:</p><ul>");
    for (OrganizationOption o : v.organizations() == null ? List.<OrganizationOption>of() : v.organizations()) {
      out.append("<li><label><input type=\"radio\" name=\"choice\" value=\"").append(escape(o.id()))
          .append("\"").append(o.eligible() ? "" : " disabled").append("> <strong>")
          .append(escape(o.name())).append("</strong> <span class=\"muted\">")
          .append(escape(o.plan())).append(", ").append(escape(o.role()))
          .append(o.eligible() ? "" : ": cannot be connected, " + reason(o.ineligibleReason()))
          .append("</span></label></li>");
    }
    out.append("<li><label><input type=\"radio\" name=\"choice\" value=\"\"> Create a new")
        .append(" organization named </label><input name=\"newName\" maxlength=\"64\"></li></ul>")
        .append("<p><button type=\"submit\">Connect</button></p><p id=\"error\" class=\"error\"")
        .append(" role=\"alert\"></p></form>")
        .append("<p class=\"muted\">Not the right account?</p>").append(signInButtons(v.id()))
        .append(script(ctx));
    return out.toString();
  }

  private static String script(Context ctx) {
    return "<script nonce=\"" + escape(Html.nonce(ctx)) + "\">\n"
        + "document.getElementById('connect').addEventListener('submit', async (e) => {\n"
        + "  e.preventDefault();\n"
        + "  const form = e.target, error = document.getElementById('error');\n"
        + "  const picked = form.querySelector('input[name=choice]:checked');\n"
        + "  error.textContent = '';\n"
        + "  if (!picked) { error.textContent = 'Choose an organization or name a new one.'; return; }\n"
        + "  const body = picked.value === '' ? {newOrganizationName: form.newName.value}"
        + " : {organizationId: picked.value};\n"
        + "  let message = 'Something went wrong; please try again.';\n"
        + "  try {\n"
        + "    const res = await fetch('/api/onboardings/' + form.dataset.onboarding + '/connect', {\n"
        + "      method: 'POST', credentials: 'same-origin',\n"
        + "      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': form.dataset.csrf},\n"
        + "      body: JSON.stringify(body)});\n"
        + "    if (res.status === 200 || res.status === 202) { location.reload(); return; }\n"
        + "    const json = await res.json();\n"
        + "    if (json.message) { message = json.message; }\n"
        + "  } catch (ignored) {}\n"
        + "  error.textContent = message;\n"
        + "});\n"
        + "</script>";
  }

  private String outcome(OnboardingView v) {
    StringBuilder out = new StringBuilder();
    if (v.outcome() == OnboardingOutcome.CONNECTED) {
      out.append("<p><strong>You are all set.</strong></p>");
    }
    if (v.message() != null) {
      out.append("<p>").append(escape(v.message())).append("</p>");
    }
    return out.toString();
  }

  private static String reason(IneligibleReason reason) {
    if (reason == null) {
      return "not eligible";
    }
    return switch (reason) {
      case NOT_OWNER -> "only owners can connect it";
      case NOT_STARTER_PLAN -> "only organizations on the free Starter plan can be connected";
      case ALREADY_LINKED -> "already connected to a cloud marketplace";
    };
  }

  private void html(Context ctx, int status, String body, boolean poll) {
    ctx.status(status).contentType("text/html; charset=utf-8")
        .result(Html.page("Set up your " + vendorName + " account", body, poll ? POLL_SECONDS : 0));
  }
}
