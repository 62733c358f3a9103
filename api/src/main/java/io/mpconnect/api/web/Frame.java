package io.mpconnect.api.web;

import io.javalin.http.Context;

/**
 * What the frame of a page (layout/frame.jte) shows around its content: the title, the header
 * (the vendor's name, the AWS Marketplace badge, who is signed in), a {@code <noscript>} refresh
 * for a page that waits on something outside the browser, and one script with the request's CSP
 * nonce.
 *
 * <p>A timed reload is an accessibility failure (WCAG 2.2.1), so {@code refreshSeconds} applies
 * only to browsers without scripts; with scripts, {@code refresh.js} looks at the element marked
 * {@code data-refresh} (seconds) and {@code data-refresh-key} (the state) and reloads only when
 * the fetched page's key differs.
 *
 * @param brand the vendor's name for the header, or null for none
 * @param who who is signed in, with the sign-out form, or null
 * @param refreshSeconds the {@code <noscript>} refresh, 0 for none
 * @param script the URL of the page's script, or null
 */
public record Frame(String title, String brand, boolean badge, Who who, int refreshSeconds,
    String script, String nonce) {

  /** Signed in (the name may be null): the console's header, with a sign-out form. */
  public record Who(String name, String csrfField, String csrfToken, String back) {}

  /** A page without header, script or refresh. */
  public static Frame plain(String title) {
    return new Frame(title, null, false, null, 0, null, null);
  }

  public boolean header() {
    return brand != null || badge || who != null;
  }

  /** The same frame with the refresh script (the nonce is the request's) and a noscript refresh. */
  public Frame refreshing(Context ctx, int seconds) {
    return new Frame(title, brand, badge, who, seconds, Assets.url(Assets.REFRESH_SCRIPT),
        Html.nonce(ctx));
  }
}
