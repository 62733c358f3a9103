package io.mpconnect.api.console;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.auth.ReturnPath;
import io.mpconnect.api.session.Csrf;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Frame;
import io.mpconnect.api.web.Templates;
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

  /**
   * The viewer, or empty after answering the request with the sign-in page, which says why with
   * the copy's {@code purposeKey}.
   */
  Optional<Viewer> viewer(Context ctx, String returnPath, String purposeKey) {
    Optional<Session> session = sessions.read(ctx).filter(s -> s.user() != null);
    if (session.isEmpty()) {
      signInPage(ctx, returnPath, purposeKey);
      return Optional.empty();
    }
    return Optional.of(new Viewer(session.get(), data.user(session.get().user()).orElse(null)));
  }

  /**
   * The frame of a console page: {@code title} (plain text, the page's own), then the vendor;
   * the vendor's name and, for a viewer, who is signed in with a sign-out button.
   */
  Frame frame(Context ctx, Viewer viewer, String title) {
    return new Frame(Copy.english().plain("console.title", title, vendorName), vendorName, false,
        who(viewer, ctx.path()), 0, null, null);
  }

  /** A short page: a heading and a body from the copy (console/message.jte). */
  private void message(Context ctx, int status, Viewer viewer, String titleKey, String headingKey,
      String bodyKey) {
    Templates.respond(ctx, status, "console/message.jte", Templates.params(
        "f", frame(ctx, viewer, Copy.english().plain(titleKey)),
        "headingKey", headingKey, "bodyKey", bodyKey));
  }

  /** 404 for an organization that does not exist and one the viewer does not belong to alike. */
  void notFound(Context ctx, Viewer viewer) {
    message(ctx, 404, viewer, "console.notFound.title", "console.notFound.heading",
        "console.notFound.body");
  }

  void unavailable(Context ctx) {
    message(ctx, 503, null, "console.unavailable.title", "console.unavailable.heading",
        "console.unavailable.body");
  }

  private void signInPage(Context ctx, String returnPath, String purposeKey) {
    Templates.respond(ctx, 200, "console/sign-in.jte", Templates.params(
        "f", frame(ctx, null, Copy.english().plain("console.signIn.title")),
        "vendor", vendorName, "purposeKey", purposeKey, "returnPath", returnPath,
        "providers", providers));
  }

  private Frame.Who who(Viewer viewer, String path) {
    if (viewer == null) {
      return null;
    }
    String back = ReturnPath.isSafe(path) ? path : "/organizations";
    return new Frame.Who(viewer.name(), Csrf.FIELD, csrf.token(viewer.session()), back);
  }

  /** Forgets who signed in; the onboardings this browser registered stay its own. */
  private void signOut(Context ctx) {
    Optional<Session> session = sessions.read(ctx);
    if (session.isEmpty() || !csrf.matches(ctx.formParam(Csrf.FIELD), session.get())) {
      message(ctx, 403, null, "console.expired.title", "console.expired.title",
          "console.expired.body");
      return;
    }
    sessions.signOut(ctx, session.get());
    String next = ctx.formParam("next");
    ctx.redirect(ReturnPath.isSafe(next) ? next : "/organizations", HttpStatus.SEE_OTHER);
  }
}
