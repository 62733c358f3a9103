package io.mpconnect.api.console;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.api.session.Session;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.persistence.LicenseRepository;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.User;
import io.mpconnect.persistence.UserOrganization;
import io.mpconnect.persistence.UserRepository;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the console's pages, and the sign-up page for a connected onboarding's subscription
 * ({@code StoredSubscriptionStatus}), read from PostgreSQL, through a small pool whose
 * connections are read-only in the server ({@code readOnlyMode=always}): the api changes nothing
 * here, every change goes through Temporal. The pool opens on the first read, so an api whose
 * database is away (or that never serves the console) starts and serves the sign-up journey all
 * the same. The worker owns the schema; no migrations run here.
 */
public final class ConsoleData implements AutoCloseable {
  static final int POOL_SIZE = 3;

  private final LazyPool pool;

  public ConsoleData(DatabaseSettings settings) {
    this.pool = new LazyPool(settings, "console", POOL_SIZE, true);
  }

  /** The user a session's sign-in leads to; empty when that identity never reached us. */
  public Optional<User> user(Session.SignedIn signedIn) {
    return pool.use(jdbi -> new UserRepository(jdbi).findByIdentity(signedIn.issuer(), signedIn.subject()));
  }

  public Optional<Role> role(UUID organizationId, UUID userId) {
    return pool.use(jdbi -> new MembershipRepository(jdbi).roleOf(organizationId, userId));
  }

  public Optional<OrganizationDetails> details(UUID organizationId) {
    return pool.use(jdbi -> new OrganizationRepository(jdbi).findDetails(organizationId));
  }

  /**
   * The licenses of an organization's AWS customer as its subscription workflow last stored them:
   * those of the linked customer when it is linked (also rows written before the link), else any
   * written for the organization. Newest first.
   */
  public List<io.mpconnect.persistence.EntitlementRepository.Entitlement> entitlements(
      OrganizationDetails details) {
    MarketplaceLink link = details.link();
    return pool.use(jdbi -> link == null
        ? new io.mpconnect.persistence.EntitlementRepository(jdbi)
            .forOrganization(details.organization().id())
        : new io.mpconnect.persistence.EntitlementRepository(jdbi)
            .forCustomer(link.productCode(), link.awsAccountId()));
  }

  /**
   * The licenses of an organization's AWS customer as its subscription workflow last stored them:
   * see {@link #licenses}. The entitlements (contract listings) of the same customer, per license
   * and dimension, as GetEntitlements last answered; empty on usage listings.
   */
  public List<MarketplaceLicense> licenses(OrganizationDetails details) {
    MarketplaceLink link = details.link();
    return pool.use(jdbi -> link == null
        ? new LicenseRepository(jdbi).forOrganization(details.organization().id())
        : new LicenseRepository(jdbi).forCustomer(link.productCode(), link.awsAccountId()));
  }

  public List<UserOrganization> organizationsOf(UUID userId) {
    return pool.use(jdbi -> new MembershipRepository(jdbi).organizationsOf(userId));
  }

  @Override
  public void close() {
    pool.close();
  }
}
