package io.mpconnect.api.marketplace;

import io.mpconnect.api.console.ConsoleData;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.subscription.SubscriptionMessages;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a connected onboarding's view up to date with its subscription. A connected onboarding
 * ends once it handed the link to the subscription workflow, but AWS may confirm (or cancel) at any
 * time. The subscription workflow is the one owner of that status: it writes it, with the
 * organization's plan and the customer's licenses, to PostgreSQL (the link's {@code
 * subscription_status}, {@code organizations.plan}, {@code marketplace_licenses}) in the same step
 * that changes it. The page reads those rows, a read model, instead of querying the workflow: a
 * query is a task for a worker and two calls to the Temporal server at every poll of the page,
 * and the rows answer the same in every api process of a fleet, and while Temporal is away.
 *
 * <p>The rows say what is true for billing: between the connect and the subscription's first step
 * with the link (a second or so) the link is PENDING and the plan unchanged, even when AWS has
 * already confirmed; the next read shows the change.
 */
public final class StoredSubscriptionStatus {
  private static final Logger log = LoggerFactory.getLogger(StoredSubscriptionStatus.class);

  /** Where the subscription's rows are read: PostgreSQL ({@link #fromDatabase}), or a test's. */
  @FunctionalInterface
  public interface Records {
    /**
     * The subscription of the customer as stored, when {@code organizationId} is linked to that
     * customer; empty when it is not (never linked, unlinked, or linked to another customer), or
     * there is no such organization. Throws when the records cannot be read.
     */
    Optional<Stored> read(String productCode, String awsAccountId, String organizationId);
  }

  /**
   * A subscription as its workflow stored it.
   *
   * @param plan the linked organization's plan
   * @param licenses the customer's licenses, newest first
   */
  public record Stored(SubscriptionStatus status, String plan, List<License> licenses) {
    public Stored {
      Objects.requireNonNull(status, "status");
      licenses = licenses == null ? List.of() : List.copyOf(licenses);
    }
  }

  /**
   * A view brought up to date, and the subscription's licenses (empty when not connected, not
   * linked, or the records could not be read).
   */
  public record Refreshed(OnboardingView view, List<License> licenses) {
    public Refreshed {
      licenses = licenses == null ? List.of() : List.copyOf(licenses);
    }
  }

  private final Records records;

  public StoredSubscriptionStatus(Records records) {
    this.records = records;
  }

  /** Reads the console's read-only pool: the link, the plan, then the licenses. */
  public static Records fromDatabase(ConsoleData data) {
    return (productCode, awsAccountId, organizationId) -> {
      UUID id = uuidOrNull(organizationId);
      if (id == null) {
        return Optional.empty();
      }
      Optional<OrganizationDetails> details = data.details(id);
      if (details.isEmpty()) {
        return Optional.empty();
      }
      MarketplaceLink link = details.get().link();
      if (link == null || link.subscriptionStatus() == null
          || !link.awsAccountId().equals(awsAccountId)
          || (productCode != null && !link.productCode().equals(productCode))) {
        return Optional.empty();
      }
      return Optional.of(new Stored(
          SubscriptionStatus.valueOf(link.subscriptionStatus().name()),
          details.get().organization().plan().name(),
          data.licenses(details.get()).stream().map(StoredSubscriptionStatus::license).toList()));
    };
  }

  /** The view brought up to date, its subscription carrying the customer's licenses. */
  public OnboardingView refresh(OnboardingView view) {
    Refreshed refreshed = read(view);
    OnboardingView out = refreshed.view();
    if (refreshed.licenses().isEmpty() || out.subscription() == null) {
      return out;
    }
    return new OnboardingView(out.id(), out.step(), out.outcome(), out.customer(), out.user(),
        out.organizations(), out.organization(),
        new OnboardingView.Subscription(out.subscription().status(), refreshed.licenses()),
        out.message());
  }

  /**
   * The view brought up to date, with the licenses. An onboarding that ended at the link has no
   * subscription status of its own: it gets the stored one. One that waited for AWS's answer (the
   * code before) has one as of its end: it is replaced when the stored status or plan differs.
   */
  public Refreshed read(OnboardingView view) {
    if (view == null
        || view.outcome() != OnboardingOutcome.CONNECTED
        || view.customer() == null
        || view.organization() == null) {
      return new Refreshed(view, List.of());
    }
    Optional<Stored> found;
    try {
      found = records.read(view.customer().productCode(), view.customer().awsAccountId(),
          view.organization().id());
    } catch (RuntimeException e) {
      // The onboarding's own answer is still true as of its end; better than no page.
      log.warn("could not read the subscription of onboarding {}: {}", view.id(),
          e.getClass().getSimpleName());
      return new Refreshed(view, List.of());
    }
    if (found.isEmpty()) {
      // Not (or no longer) linked to this customer: nothing of it belongs on this page.
      return new Refreshed(view, List.of());
    }
    Stored stored = found.get();
    String plan = stored.plan() != null ? stored.plan() : view.organization().plan();
    if (view.subscription() != null
        && stored.status() == view.subscription().status()
        && Objects.equals(plan, view.organization().plan())) {
      return new Refreshed(view, stored.licenses());
    }
    OrganizationRef organization =
        new OrganizationRef(view.organization().id(), view.organization().name(), plan);
    OnboardingView refreshed = new OnboardingView(view.id(), view.step(), view.outcome(),
        view.customer(), view.user(), view.organizations(), organization,
        new OnboardingView.Subscription(stored.status()),
        SubscriptionMessages.connected(organization.name(), stored.status(), plan));
    return new Refreshed(refreshed, stored.licenses());
  }

  /** A stored license in the workflow's terms (the page shows ARN, agreement, status, offer). */
  static License license(MarketplaceLicense l) {
    return new License(l.key(), l.licenseArn(), l.agreementId(),
        LicenseStatus.valueOf(l.status().name()), l.usableFrom(), l.endedAt(), l.revokedAt(),
        l.freeTrial(), l.offerId(), l.intent(), l.endReason(), null);
  }

  private static UUID uuidOrNull(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException | NullPointerException notOurs) {
      return null;
    }
  }
}
