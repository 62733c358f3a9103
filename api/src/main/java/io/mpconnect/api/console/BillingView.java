package io.mpconnect.api.console;

import io.mpconnect.persistence.BillingProvider;
import io.mpconnect.persistence.EntitlementRepository;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.Plan;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * What the billing page's template (console/billing.jte) shows for one organization: the
 * decisions here (which card, which words' keys in the copy), the markup in the template.
 */
public final class BillingView {
  /** What the billing contact card offers. */
  public enum Contact { LINKED, DIRECT, ASK_OWNER, CONNECT }

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private final Organization organization;
  private final MarketplaceLink link;
  private final boolean owner;
  private final String vendor;
  private final String listingUrl;
  private final List<MarketplaceLicense> licenses;
  private final List<EntitlementRepository.Entitlement> entitlements;

  public BillingView(Organization organization, MarketplaceLink link, boolean owner, String vendor,
      String listingUrl, List<MarketplaceLicense> licenses,
      List<EntitlementRepository.Entitlement> entitlements) {
    this.organization = organization;
    this.link = link;
    this.owner = owner;
    this.vendor = vendor;
    this.listingUrl = listingUrl;
    this.licenses = licenses;
    this.entitlements = entitlements;
  }

  public String name() {
    return organization.name();
  }

  public String vendor() {
    return vendor;
  }

  public String listingUrl() {
    return listingUrl;
  }

  public boolean owner() {
    return owner;
  }

  public Contact contact() {
    return link != null ? Contact.LINKED
        : organization.plan() != Plan.STARTER ? Contact.DIRECT
        : !owner ? Contact.ASK_OWNER
        : Contact.CONNECT;
  }

  /** While AWS has not confirmed, the plan and the provider say when billing moves to AWS. */
  public boolean awaitingAws() {
    return link != null && link.subscriptionStatus() == LinkStatus.PENDING;
  }

  public String planKey() {
    return switch (organization.plan()) {
      case STARTER -> awaitingAws() ? "console.billing.plan.starterUntilAws"
          : "console.billing.plan.starter";
      case STANDARD -> "console.billing.plan.standard";
    };
  }

  public String providerKey() {
    if (organization.billingProvider() == BillingProvider.AWS_MARKETPLACE) {
      return "console.billing.provider.aws";
    }
    if (awaitingAws()) {
      return "billing.onceAwsConfirms.sentence";
    }
    return organization.plan() == Plan.STARTER
        ? "console.billing.provider.none"
        : "console.billing.provider.direct";
  }

  // Linked: the link's status, the AWS account, the licenses and entitlements.
  public boolean active() {
    return link.subscriptionStatus() == LinkStatus.ACTIVE;
  }

  /** While AWS has not confirmed, refresh.js looks again and reloads once the status moved. */
  public String refreshSeconds() {
    return link.subscriptionStatus() == LinkStatus.PENDING
        ? Integer.toString(BillingPage.PENDING_REFRESH_SECONDS) : null;
  }

  public String headlineKey() {
    return switch (link.subscriptionStatus()) {
      case ACTIVE -> "console.billing.headline.active";
      case PENDING -> "console.billing.headline.pending";
      case UNSUBSCRIBE_PENDING -> "console.billing.headline.unsubscribePending";
      case UNSUBSCRIBED -> "console.billing.headline.unsubscribed";
      case FAILED -> "console.billing.headline.failed";
    };
  }

  public String statusKey() {
    return switch (link.subscriptionStatus()) {
      case ACTIVE -> "console.billing.status.active";
      case PENDING -> "console.billing.status.pending";
      case UNSUBSCRIBE_PENDING -> "console.billing.status.unsubscribePending";
      case UNSUBSCRIBED -> "console.billing.status.unsubscribed";
      case FAILED -> "console.billing.status.failed";
    };
  }

  public String awsAccount() {
    return link.awsAccountId();
  }

  /** The day it was connected, or null. */
  public String linkedOn() {
    return date(link.linkedAt());
  }

  /** Offer to subscribe again: the subscription was cancelled and the listing is known. */
  public boolean subscribeAgain() {
    return link.subscriptionStatus() == LinkStatus.UNSUBSCRIBED && listingUrl != null;
  }

  /**
   * The customer's licenses: one per agreement on AWS's current model (an account may hold
   * several), one implicit license on a legacy listing. None when none is stored yet.
   */
  public List<MarketplaceLicense> licenses() {
    return licenses;
  }

  public List<EntitlementRepository.Entitlement> entitlements() {
    return entitlements;
  }

  public static String licenseStatusKey(MarketplaceLicense.Status status) {
    return switch (status) {
      case PENDING -> "console.license.status.pending";
      case USABLE -> "console.license.status.usable";
      case ENDING -> "console.license.status.ending";
      case ENDED -> "console.license.status.ended";
      case FAILED -> "console.license.status.failed";
    };
  }

  /** "3 March 2027" (UTC), or null for none. */
  public static String date(Instant instant) {
    return instant == null ? null : DATE.format(instant);
  }
}
