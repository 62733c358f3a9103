package io.mpconnect.api.dev;

import static io.mpconnect.api.web.Html.escape;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.registration.RegistrationRoutes;
import io.mpconnect.api.web.Pages;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * DEV_MODE only: a stand-in for AWS Marketplace's "Set up your account" button. It POSTs a fresh
 * demo token (which the development metering stand-in resolves) to the real fulfillment URL, the
 * same way AWS does.
 */
public final class DevRoutes {
  public static final String DEFAULT_ACCOUNT = "111122223333";
  private static final SecureRandom random = new SecureRandom();

  public void register(Javalin app) {
    app.get("/dev/marketplace", this::page);
  }

  /** {@code demo-<12-digit account>-<random>}. */
  public static String demoToken(String awsAccountId) {
    return "demo-" + awsAccountId + "-" + randomPart();
  }

  public static String expiredToken() {
    return "expired-" + randomPart();
  }

  private void page(Context ctx) {
    String requested = ctx.queryParam("account");
    boolean valid = requested == null || requested.matches("\\d{12}");
    String account = requested != null && valid ? requested : DEFAULT_ACCOUNT;
    String body =
        "<p class=\"muted\">Development mode: this page plays AWS Marketplace.</p>"
            + "<form method=\"get\" action=\"/dev/marketplace\"><label>AWS account id "
            + "<input name=\"account\" value=\"" + escape(account) + "\" pattern=\"\\d{12}\""
            + " maxlength=\"12\"></label> <button type=\"submit\">Use this account</button></form>"
            + (valid ? "" : "<p class=\"error\">An AWS account id has 12 digits.</p>")
            + tokenForm(demoToken(account), "Set up your account",
                "as AWS account " + escape(account))
            + tokenForm(expiredToken(), "Try an expired link",
                "what a customer sees after waiting too long")
            + tokenForm("demo-wrongproduct-" + account + "-" + randomPart(),
                "Try another product's link", "a subscription to a product that is not ours");
    Pages.render(ctx, 200, "AWS Marketplace (simulated)", body);
  }

  private static String tokenForm(String token, String button, String explanation) {
    return "<form method=\"post\" action=\"" + RegistrationRoutes.PATH + "\">"
        + "<input type=\"hidden\" name=\"x-amzn-marketplace-token\" value=\"" + escape(token) + "\">"
        + "<p><button type=\"submit\">" + escape(button) + "</button> <span class=\"muted\">"
        + explanation + "</span></p></form>";
  }

  private static String randomPart() {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
