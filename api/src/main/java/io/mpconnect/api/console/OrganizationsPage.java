package io.mpconnect.api.console;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.api.web.BillingWording;
import static io.mpconnect.api.web.Html.escape;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.Role;
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
      console.viewer(ctx, PATH, "Sign in to see your organizations.").ifPresent(viewer -> {
        List<UserOrganization> organizations = viewer.user() == null ? List.of()
            : console.data().organizationsOf(viewer.user().id());
        StringBuilder main = new StringBuilder("<h1 tabindex=\"-1\">Your organizations</h1>\n");
        if (organizations.isEmpty()) {
          main.append("<section class=\"card\"><p>This sign-in belongs to no organization yet.</p>"
              + "<p class=\"muted\">Subscribe on AWS Marketplace and click <strong>Set up your"
              + " account</strong> to create one, or ask a colleague to invite you.</p></section>");
        }
        for (UserOrganization o : organizations) {
          main.append("<section class=\"card\"><h2><a href=\"").append(BillingPage.path(o.id()))
              .append("\" class=\"name-text\">").append(escape(o.name())).append("</a></h2>")
              .append("<p class=\"muted\">")
              .append(o.plan().name().equals("STARTER") ? "Starter plan" : "Standard plan")
              .append(" · ").append(o.role() == Role.OWNER ? "Owner" : "Member")
              .append(o.linked() ? " · " + linkText(o.linkStatus()) : "")
              .append("</p><p><a href=\"").append(BillingPage.path(o.id()))
              .append("\">Billing settings</a></p></section>\n");
        }
        console.page(ctx, 200, viewer, "Your organizations", main.toString(), "");
      });
    } catch (LazyPool.UnavailableException e) {
      console.unavailable(ctx);
    }
  }

  /** The same words as the billing page: "billed through" only once AWS confirmed. */
  private static String linkText(LinkStatus status) {
    return switch (status == null ? LinkStatus.PENDING : status) {
      case PENDING -> BillingWording.ONCE_AWS_CONFIRMS_SENTENCE;
      case ACTIVE, UNSUBSCRIBE_PENDING -> "Billed through AWS Marketplace";
      case UNSUBSCRIBED -> "AWS Marketplace subscription cancelled";
      case FAILED -> "AWS could not confirm the AWS Marketplace subscription";
    };
  }
}
