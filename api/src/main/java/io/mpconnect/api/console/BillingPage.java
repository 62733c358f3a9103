package io.mpconnect.api.console;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Frame;
import io.mpconnect.api.web.Templates;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.persistence.EntitlementRepository;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.persistence.Role;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The console's Settings &gt; Billing page of one organization, for its members: plan and billing
 * provider. Owners of a Starter organization get "Connect to cloud marketplace", which leads to
 * the AWS listing, where "Set up your account" starts the sign-up journey; a connected
 * organization shows "Billed through AWS Marketplace" with its AWS account and its AWS
 * Marketplace licenses (agreements) as the subscription last stored them. Anyone else gets 404.
 */
public final class BillingPage {
  static final String PATH = "/organizations/{id}/billing";
  /** While AWS has not confirmed the subscription yet, the page looks again this often. */
  static final int PENDING_REFRESH_SECONDS = 10;

  private final Console console;
  private final String listingUrl;

  public BillingPage(Console console, String listingUrl) {
    this.console = console;
    this.listingUrl = listingUrl;
  }

  public void register(Javalin app) {
    app.get(PATH, this::show);
  }

  public static String path(UUID organizationId) {
    return "/organizations/" + organizationId + "/billing";
  }

  private void show(Context ctx) {
    Optional<UUID> id = uuid(ctx.pathParam("id"));
    if (id.isEmpty()) {
      console.notFound(ctx, null);
      return;
    }
    try {
      console.viewer(ctx, path(id.get()), "console.signIn.billing")
          .ifPresent(viewer -> render(ctx, viewer, id.get()));
    } catch (LazyPool.UnavailableException e) {
      console.unavailable(ctx);
    }
  }

  private void render(Context ctx, Console.Viewer viewer, UUID id) {
    Optional<Role> role = viewer.user() == null ? Optional.empty()
        : console.data().role(id, viewer.user().id());
    Optional<OrganizationDetails> details =
        role.isEmpty() ? Optional.empty() : console.data().details(id);
    if (details.isEmpty()) {
      console.notFound(ctx, viewer);
      return;
    }
    Organization organization = details.get().organization();
    MarketplaceLink link = details.get().link();
    boolean linked = link != null;
    BillingView view = new BillingView(organization, link, role.get() == Role.OWNER,
        console.vendorName(), listingUrl,
        linked ? console.data().licenses(details.get()) : List.of(),
        linked ? console.data().entitlements(details.get()) : List.of());
    Frame frame = console.frame(ctx, viewer,
        Copy.english().plain("console.billing.title", organization.name()));
    Templates.respond(ctx, 200, "console/billing.jte", Templates.params(
        "f", view.awaitingAws() ? frame.refreshing(ctx, PENDING_REFRESH_SECONDS) : frame,
        "b", view));
  }

  /**
   * Contract listings: what the customer is entitled to, per license, dimension, value and
   * expiry (console/entitlements.jte); nothing on usage listings.
   */
  static String entitlements(List<EntitlementRepository.Entitlement> entitlements) {
    return Templates.render("console/entitlements.jte",
        Templates.params("entitlements", entitlements));
  }

  static Optional<UUID> uuid(String value) {
    if (value == null || value.length() != 36) {
      return Optional.empty();
    }
    try {
      UUID id = UUID.fromString(value);
      // Only the canonical spelling, so one organization has one URL.
      return id.toString().equals(value) ? Optional.of(id) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
