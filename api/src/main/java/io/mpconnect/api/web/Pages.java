package io.mpconnect.api.web;

import io.javalin.http.Context;

/** Small pages shared by several routes. */
public final class Pages {
  public static void render(Context ctx, int status, String title, String body) {
    ctx.status(status).contentType("text/html; charset=utf-8").result(Html.page(title, body));
  }

  /** A page in the vendor's frame (their name in the header), for the customer's journey. */
  public static void renderBranded(Context ctx, int status, String vendorName, String title,
      String body) {
    ctx.status(status).contentType("text/html; charset=utf-8").result(Html.document(
        new Html.Document(title + " · " + vendorName, vendorName, null,
            "<section class=\"card\">\n<h1 tabindex=\"-1\">" + Html.escape(title) + "</h1>\n"
                + body + "\n</section>", "", "")));
  }

  public static void notFound(Context ctx) {
    render(ctx, 404, "Not found",
        "<p>There is nothing here. If you came from AWS Marketplace, go back there and click"
            + " \"Set up your account\" again.</p>");
  }

  public static void error(Context ctx, int status) {
    render(ctx, status, "Something went wrong",
        "<p>We could not handle this request. Please try again in a moment.</p>");
  }

  private Pages() {}
}
