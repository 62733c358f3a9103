package io.mpconnect.api.dev;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.web.Templates;
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
    Templates.respond(ctx, 200, "dev/marketplace.jte", Templates.params(
        "account", account, "valid", valid, "demoToken", demoToken(account),
        "expiredToken", expiredToken(),
        "wrongProductToken", "demo-wrongproduct-" + account + "-" + randomPart()));
  }

  private static String randomPart() {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
