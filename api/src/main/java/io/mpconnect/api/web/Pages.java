package io.mpconnect.api.web;

import io.javalin.http.Context;

/** Small pages shared by several routes (templates under pages/). */
public final class Pages {
  /**
   * A page with a heading and a body of trusted HTML that the caller built and escaped itself.
   * Prefer a template of its own (pages/, the copy in copy/pages.properties).
   */
  public static void render(Context ctx, int status, String title, String body) {
    Templates.respond(ctx, status, "layout/trusted.jte",
        Templates.params("f", Frame.plain(title), "body", body));
  }

  public static void notFound(Context ctx) {
    Templates.respond(ctx, 404, "pages/not-found.jte", Templates.params());
  }

  public static void error(Context ctx, int status) {
    Templates.respond(ctx, status, "pages/error.jte", Templates.params());
  }

  /** "Something went wrong" with what went wrong, as text. */
  public static void error(Context ctx, int status, String message) {
    Templates.respond(ctx, status, "pages/error.jte", Templates.params("message", message));
  }

  private Pages() {}
}
