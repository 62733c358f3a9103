package io.mpconnect.api.console;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.api.web.BillingWording;
import io.mpconnect.api.web.Html;
import static io.mpconnect.api.web.Html.escape;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.persistence.BillingProvider;
import io.mpconnect.persistence.EntitlementRepository;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
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
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

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
      console.viewer(ctx, path(id.get()), "Sign in to see this organization's billing settings.")
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
    boolean owner = role.get() == Role.OWNER;
    String name = escape(organization.name());

    StringBuilder main = new StringBuilder();
    main.append("<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a href=\"/organizations\">")
        .append("Organizations</a> › <span class=\"name-text\">").append(name)
        .append("</span> › Settings › Billing</nav>\n")
        .append("<h1 tabindex=\"-1\">Billing</h1>\n");
    main.append("<section class=\"card\" aria-labelledby=\"plan-heading\">")
        .append("<h2 id=\"plan-heading\">Plan</h2><dl class=\"facts\">")
        .append("<dt>Organization</dt><dd>").append(name).append("</dd>")
        .append("<dt>Current plan</dt><dd id=\"plan\">").append(planName(organization.plan(), link))
        .append("</dd><dt>Billing provider</dt><dd id=\"billing-provider\">")
        .append(providerName(organization, link))
        .append("</dd><dt>Your role</dt><dd>").append(owner ? "Owner" : "Member")
        .append("</dd></dl></section>\n");
    main.append("<section class=\"card\" id=\"billing-contact\" aria-labelledby=\"contact-heading\">")
        .append("<h2 id=\"contact-heading\">Billing contact</h2>\n");
    if (link != null) {
      main.append(linked(link, console.data().licenses(details.get()),
          console.data().entitlements(details.get())));
    } else if (organization.plan() != Plan.STARTER) {
      main.append("<p>").append(name).append(" is billed directly by ")
          .append(escape(console.vendorName())).append(". Only organizations on the free Starter"
              + " plan can be connected to a cloud marketplace.</p>");
    } else if (!owner) {
      main.append("<p>").append(name).append(" is on the free Starter plan. To pay as you go"
              + " through a cloud marketplace, an owner of ").append(name)
          .append(" can connect it; ask one of them.</p>")
          .append("<p class=\"muted\">Only owners can connect an organization to a cloud"
              + " marketplace.</p>");
    } else {
      main.append(connectAction(organization));
    }
    main.append("</section>\n");
    boolean waiting = awaitingAws(link);
    console.page(ctx, 200, viewer, "Billing · " + organization.name(), main.toString(),
        waiting ? Html.refreshWithoutScript(PENDING_REFRESH_SECONDS) : "",
        waiting ? Html.refreshScript(ctx) : "");
  }

  private String linked(
      MarketplaceLink link,
      List<MarketplaceLicense> licenses,
      List<EntitlementRepository.Entitlement> entitlements) {
    StringBuilder out = new StringBuilder();
    LinkStatus status = link.subscriptionStatus();
    boolean active = status == LinkStatus.ACTIVE;
    out.append("<div class=\"notice ").append(active ? "ok" : "warn").append("\" id=\"billed-by\"")
        // While AWS has not confirmed, refresh.js looks again and reloads once the status moved.
        .append(status == LinkStatus.PENDING ? " data-refresh=\"" + PENDING_REFRESH_SECONDS
            + "\" data-refresh-key=\"PENDING\"" : "")
        .append(">")
        .append("<p><strong>").append(headline(status)).append("</strong></p></div>")
        .append("<dl class=\"facts\"><dt>AWS account</dt><dd id=\"aws-account\">")
        .append(escape(link.awsAccountId())).append("</dd>")
        .append("<dt>Subscription</dt><dd id=\"subscription-status\">").append(statusText(status))
        .append("</dd>");
    if (link.linkedAt() != null) {
      out.append("<dt>Connected on</dt><dd>").append(DATE.format(link.linkedAt())).append("</dd>");
    }
    out.append("</dl>");
    out.append(licenses(licenses));
    out.append(entitlements(entitlements));
    out.append("<p class=\"muted\">Usage is metered by the hour and appears on the AWS bill of this"
        + " account. The subscription is managed in AWS Marketplace.</p>");
    if (status == LinkStatus.UNSUBSCRIBED && listingUrl != null) {
      out.append("<p><a class=\"button\" href=\"").append(escape(listingUrl))
          .append("\">Subscribe again on AWS Marketplace</a></p>");
    }
    return out.toString();
  }

  /**
   * The customer's licenses: one per agreement on AWS's current model (an account may hold
   * several), one implicit license on a legacy listing. Nothing when none is stored yet.
   */
  private static String licenses(List<MarketplaceLicense> licenses) {
    if (licenses.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("<div id=\"licenses\"><h3 id=\"licenses-heading\">")
        .append(licenses.size() == 1 ? "AWS Marketplace license" : "AWS Marketplace licenses")
        .append("</h3>");
    for (MarketplaceLicense license : licenses) {
      out.append("<dl class=\"facts license\" data-status=\"")
          .append(escape(license.status().name())).append("\">")
          .append("<dt>Status</dt><dd class=\"license-status\">")
          .append(licenseStatusText(license.status())).append("</dd>");
      if (license.agreementId() != null) {
        out.append("<dt>Agreement</dt><dd class=\"license-agreement\">")
            .append(escape(license.agreementId())).append("</dd>");
      }
      if (license.freeTrial() != null) {
        out.append("<dt>Free trial</dt><dd class=\"license-free-trial\">")
            .append(license.freeTrial() ? "Yes" : "No").append("</dd>");
      }
      if (license.offerId() != null) {
        out.append("<dt>Offer</dt><dd class=\"license-offer\">")
            .append(escape(license.offerId())).append("</dd>");
      }
      if (license.usableFrom() != null) {
        out.append("<dt>Usable from</dt><dd class=\"license-usable-from\">")
            .append(DATE.format(license.usableFrom())).append("</dd>");
      }
      if (license.endedAt() != null) {
        out.append("<dt>Ended on</dt><dd class=\"license-ended\">")
            .append(DATE.format(license.endedAt())).append("</dd>");
      }
      out.append("</dl>");
    }
    return out.append("</div>").toString();
  }

  /**
   * Contract listings: what the customer is entitled to, per license, dimension, value and
   * expiry, as AWS's GetEntitlements last answered. Nothing on usage listings. Every value is
   * escaped: dimensions and string values come from AWS.
   */
  static String entitlements(List<EntitlementRepository.Entitlement> entitlements) {
    if (entitlements.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("<div id=\"entitlements\"><h3 id=\"entitlements-heading\">Contract entitlements</h3>")
        .append("<table class=\"entitlements\"><thead><tr><th scope=\"col\">License</th>")
        .append("<th scope=\"col\">Dimension</th><th scope=\"col\">Value</th>")
        .append("<th scope=\"col\">Expires</th></tr></thead><tbody>");
    for (EntitlementRepository.Entitlement e : entitlements) {
      String license =
          e.licenseArn() == null ? "Subscription" : e.licenseArn();
      out.append("<tr class=\"entitlement\"><td class=\"entitlement-license\">")
          .append(escape(license)).append("</td><td class=\"entitlement-dimension\">")
          .append(escape(e.dimension())).append("</td><td class=\"entitlement-value\">")
          .append(escape(e.value() == null ? "" : e.value())).append("</td>")
          .append("<td class=\"entitlement-expires\">")
          .append(e.expiresAt() == null ? "No expiry" : DATE.format(e.expiresAt()))
          .append("</td></tr>");
    }
    return out.append("</tbody></table></div>").toString();
  }

  private static String licenseStatusText(MarketplaceLicense.Status status) {
    return switch (status) {
      case PENDING -> "Waiting for AWS";
      case USABLE -> "Active";
      case ENDING -> "Ending: the last usage is being billed";
      case ENDED -> "Ended";
      case FAILED -> "AWS could not confirm it";
    };
  }

  private static String headline(LinkStatus status) {
    return switch (status) {
      case ACTIVE -> "Billed through AWS Marketplace";
      case PENDING -> "Connected to AWS Marketplace: waiting for AWS to confirm your subscription";
      case UNSUBSCRIBE_PENDING -> "Billed through AWS Marketplace until the cancellation completes";
      case UNSUBSCRIBED -> "The AWS Marketplace subscription was cancelled";
      case FAILED -> "AWS could not confirm the AWS Marketplace subscription";
    };
  }

  private static String statusText(LinkStatus status) {
    return switch (status) {
      case ACTIVE -> "Active";
      case PENDING -> "Waiting for AWS to confirm your subscription";
      case UNSUBSCRIBE_PENDING -> "Being cancelled";
      case UNSUBSCRIBED -> "Cancelled in AWS Marketplace";
      case FAILED -> "AWS could not confirm the subscription; contact support";
    };
  }

  /** The brief's steps: Connect to cloud marketplace, select AWS, continue to the marketplace. */
  private String connectAction(Organization organization) {
    String name = escape(organization.name());
    StringBuilder out = new StringBuilder();
    out.append("<p>").append(name).append(" is on the free Starter plan. Connect it to a cloud"
        + " marketplace to pay as you go on your cloud provider's bill.</p>\n");
    if (listingUrl == null) {
      return out.append("<p class=\"muted\">Connecting to a cloud marketplace is not available"
          + " right now. Please contact support.</p>").toString();
    }
    out.append("<details class=\"connect\" id=\"connect-marketplace\">")
        .append("<summary class=\"button primary\">Connect to cloud marketplace</summary>\n")
        .append("<fieldset><legend>Choose a cloud marketplace</legend>")
        .append("<div class=\"option\"><input type=\"radio\" name=\"marketplace\" id=\"mp-aws\""
            + " value=\"aws\" checked><label for=\"mp-aws\"><span class=\"name\">Amazon Web"
            + " Services</span><span class=\"meta\">AWS Marketplace, billed to your AWS account"
            + "</span></label></div></fieldset>\n")
        .append("<p>On AWS Marketplace:</p><ol class=\"howto\">")
        .append("<li>Subscribe to ").append(escape(console.vendorName())).append(".</li>")
        .append("<li>Click <strong>Set up your account</strong>.</li>")
        .append("<li>Sign in with the same method as here, and choose <strong>").append(name)
        .append("</strong>.</li></ol>\n")
        .append("<p><a class=\"button primary\" id=\"continue-to-marketplace\" href=\"")
        .append(escape(listingUrl)).append("\">Continue to marketplace</a></p></details>");
    return out.toString();
  }

  /** While AWS has not confirmed, the plan and the provider say when billing moves to AWS. */
  private static boolean awaitingAws(MarketplaceLink link) {
    return link != null && link.subscriptionStatus() == LinkStatus.PENDING;
  }

  private static String planName(Plan plan, MarketplaceLink link) {
    return switch (plan) {
      case STARTER -> awaitingAws(link) ? "Starter (free) until AWS confirms your subscription"
          : "Starter (free)";
      case STANDARD -> "Standard (pay as you go)";
    };
  }

  private String providerName(Organization organization, MarketplaceLink link) {
    if (organization.billingProvider() == BillingProvider.AWS_MARKETPLACE) {
      return "AWS Marketplace";
    }
    if (awaitingAws(link)) {
      return BillingWording.ONCE_AWS_CONFIRMS_SENTENCE;
    }
    return organization.plan() == Plan.STARTER
        ? "None (free plan)"
        : escape(console.vendorName()) + " (invoiced directly)";
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
