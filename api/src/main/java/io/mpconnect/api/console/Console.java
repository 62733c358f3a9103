package io.mpconnect.api.console;

import static io.mpconnect.api.web.Html.escape;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.auth.ReturnPath;
import io.mpconnect.api.session.Csrf;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Html;
import io.mpconnect.persistence.User;
import java.util.List;
import java.util.Optional;

/**
 * What the console's pages share: who is signed in (the session's verified identity, looked up in
 * PostgreSQL), the frame with the vendor's name and a sign-out button, the sign-in page, and
 * sign-out itself ({@code POST /auth/signout}, CSRF-protected).
 */
public final class Console {
  private final ConsoleData data;
  private final Sessions sessions;
  private final Csrf csrf;
  private final List<OidcProviderSettings> providers;
  private final String vendorName;

  public Console(ConsoleData data, Sessions sessions, Csrf csrf,
      List<OidcProviderSettings> providers, String vendorName) {
    this.data = data;
    this.sessions = sessions;
    this.csrf = csrf;
    this.providers = providers;
    this.vendorName = vendorName;
  }

  /**
   * Someone signed in, as the session says. {@code user} is null for a sign-in that never reached
   * us (no onboarding created its user): it belongs to no organization.
   */
  record Viewer(Session session, User user) {
    String name() {
      return user == null ? null
          : user.displayName() != null ? user.displayName()
          : user.email();
    }
  }

  public void register(Javalin app) {
    app.post("/auth/signout", this::signOut);
  }

  ConsoleData data() {
    return data;
  }

  String vendorName() {
    return vendorName;
  }

  /** The viewer, or empty after answering the request with the sign-in page. */
  Optional<Viewer> viewer(Context ctx, String returnPath, String purpose) {
    Optional<Session> session = sessions.read(ctx).filter(s -> s.user() != null);
    if (session.isEmpty()) {
      signInPage(ctx, returnPath, purpose);
      return Optional.empty();
    }
    return Optional.of(new Viewer(session.get(), data.user(session.get().user()).orElse(null)));
  }

  void page(Context ctx, int status, Viewer viewer, String title, String main, String head) {
    page(ctx, status, viewer, title, main, head, "");
  }

  void page(Context ctx, int status, Viewer viewer, String title, String main, String head,
      String scripts) {
    ctx.status(status).contentType("text/html; charset=utf-8").result(Html.document(
        new Html.Document(title + " · " + vendorName, vendorName, who(viewer, ctx.path()), main,
            head, scripts)));
  }

  /** 404 for an organization that does not exist and one the viewer does not belong to alike. */
  void notFound(Context ctx, Viewer viewer) {
    page(ctx, 404, viewer, "Not found",
        "<section class=\"card\"><h1 tabindex=\"-1\">Organization not found</h1>"
            + "<p>There is no organization here that you can see.</p>"
            + "<p>If it belongs to another of your accounts, sign out and sign in with that one."
            + " <a href=\"/organizations\">See your organizations</a>.</p></section>", "");
  }

  void unavailable(Context ctx) {
    page(ctx, 503, null, "Please try again",
        "<section class=\"card\"><h1 tabindex=\"-1\">Please try again in a moment</h1>"
            + "<p>The console cannot load this page right now. Nothing was changed.</p></section>",
        "");
  }

  private void signInPage(Context ctx, String returnPath, String purpose) {
    StringBuilder main = new StringBuilder("<section class=\"card\"><h1 tabindex=\"-1\">Sign in to ")
        .append(escape(vendorName)).append("</h1><p>").append(escape(purpose)).append("</p>");
    if (providers.isEmpty()) {
      main.append("<p class=\"error\">No sign-in method is configured. Please contact support.</p>");
    } else {
      main.append("<ul class=\"actions\">");
      for (OidcProviderSettings provider : providers) {
        main.append("<li><a class=\"button primary\" href=\"")
            .append(escape(ReturnPath.loginUrl(provider.key(), returnPath)))
            .append("\">Sign in with ").append(escape(provider.displayName())).append("</a></li>");
      }
      main.append("</ul>");
    }
    main.append("</section>");
    page(ctx, 200, null, "Sign in", main.toString(), "");
  }

  private String who(Viewer viewer, String path) {
    if (viewer == null) {
      return "";
    }
    String back = ReturnPath.isSafe(path) ? path : "/organizations";
    String name = viewer.name();
    return "<div class=\"who\"><span>" + (name == null ? "Signed in"
            : "Signed in as <strong>" + escape(name) + "</strong>")
        + "</span><form method=\"post\" action=\"/auth/signout\">"
        + "<input type=\"hidden\" name=\"" + Csrf.FIELD + "\" value=\""
        + escape(csrf.token(viewer.session())) + "\"><input type=\"hidden\" name=\"next\" value=\""
        + escape(back) + "\"><button type=\"submit\" class=\"link\">Sign out</button></form></div>";
  }

  /** Forgets who signed in; the onboardings this browser registered stay its own. */
  private void signOut(Context ctx) {
    Optional<Session> session = sessions.read(ctx);
    if (session.isEmpty() || !csrf.matches(ctx.formParam(Csrf.FIELD), session.get())) {
      page(ctx, 403, null, "This form has expired",
          "<section class=\"card\"><h1 tabindex=\"-1\">This form has expired</h1><p>Nothing was"
              + " changed. <a href=\"/organizations\">Go back</a> and try again.</p></section>", "");
      return;
    }
    sessions.signOut(ctx, session.get());
    String next = ctx.formParam("next");
    ctx.redirect(ReturnPath.isSafe(next) ? next : "/organizations", HttpStatus.SEE_OTHER);
  }
}
