package io.mpconnect.api.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last line of defence: JSON endpoints get a JSON error, pages an HTML page, nobody a stack trace.
 * Logs name the path (which holds at most an onboarding id), never bodies: they may hold tokens.
 */
public final class ErrorHandling {
  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  public static void install(Javalin app) {
    // Also unmatched routes (Javalin throws a NotFoundResponse) and oversized bodies (413).
    app.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, e.getStatus(),
        switch (e.getStatus()) {
          case 404 -> "Not found.";
          case 413 -> "The request is too large.";
          default -> "The request could not be handled.";
        }));
    app.exception(Exception.class, (e, ctx) -> {
      log.error("unhandled {} on {} {}", e.getClass().getName(), ctx.method(), ctx.path(), e);
      respond(ctx, 500, "Something went wrong; please try again in a moment.");
    });
  }

  public static boolean wantsJson(Context ctx) {
    return ctx.path().startsWith("/api/") || ctx.path().startsWith("/health/")
        || ctx.path().startsWith("/admin/");
  }

  private static void respond(Context ctx, int status, String message) {
    if (wantsJson(ctx)) {
      ctx.status(status).json(Json.message(message));
    } else if (status == 404) {
      Pages.notFound(ctx);
    } else {
      Pages.error(ctx, status, message);
    }
  }

  private ErrorHandling() {}
}
