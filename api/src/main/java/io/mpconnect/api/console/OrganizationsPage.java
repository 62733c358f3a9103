package io.mpconnect.api.console;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Templates;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.UserOrganization;
import java.util.List;

/** {@code /organizations}: the signed-in user's organizations, each with its billing settings. */
public final class OrganizationsPage {
  static final String PATH = "/organizations";

  private final Console console;

  public OrganizationsPage(Console console) {
    this.console = console;
  }

  public void register(Javalin app) {
    app.get(PATH, this::show);
  }

  private void show(Context ctx) {
    try {
      console.viewer(ctx, PATH, "console.signIn.organizations").ifPresent(viewer -> {
        List<UserOrganization> organizations = viewer.user() == null ? List.of()
            : console.data().organizationsOf(viewer.user().id());
        Templates.respond(ctx, 200, "console/organizations.jte", Templates.params(
            "f", console.frame(ctx, viewer, Copy.english().plain("console.organizations.title")),
            "organizations", organizations));
      });
    } catch (LazyPool.UnavailableException e) {
      console.unavailable(ctx);
    }
  }

  /** The same words as the billing page: "billed through" only once AWS confirmed. */
  public static String linkKey(LinkStatus status) {
    return switch (status == null ? LinkStatus.PENDING : status) {
      case PENDING -> "billing.onceAwsConfirms.sentence";
      case ACTIVE, UNSUBSCRIBE_PENDING -> "console.organizations.link.active";
      case UNSUBSCRIBED -> "console.organizations.link.unsubscribed";
      case FAILED -> "console.organizations.link.failed";
    };
  }
}
