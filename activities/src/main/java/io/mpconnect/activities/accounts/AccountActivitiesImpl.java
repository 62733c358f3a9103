package io.mpconnect.activities.accounts;

import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.User;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.workflows.activities.AccountActivities;
import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SignInResult;
import io.mpconnect.workflows.messages.SignedInUser;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Users, organizations and marketplace links in PostgreSQL. Invalid input fails non-retryably with
 * INVALID_INPUT; database outages propagate, and Temporal retries the call.
 */
public final class AccountActivitiesImpl implements AccountActivities {
  private final UserRepository users;
  private final OrganizationRepository organizations;
  private final MembershipRepository memberships;
  private final MarketplaceCustomerRepository customers;
  private final MarketplaceLinkRepository links;
  private final ConnectTransaction connect;

  /**
   * Told when a registration mapped a legacy CustomerIdentifier to its AWS account (after the
   * mapping is committed), so that events waiting for it move on.
   */
  @FunctionalInterface
  public interface IdentifierMapped {
    void mapped(String productCode, String customerIdentifier, String awsAccountId);

    IdentifierMapped NOBODY = (productCode, identifier, account) -> {};
  }

  private final IdentifierMapped identifierMapped;

  public AccountActivitiesImpl(Jdbi jdbi) {
    this(jdbi, IdentifierMapped.NOBODY);
  }

  public AccountActivitiesImpl(Jdbi jdbi, IdentifierMapped identifierMapped) {
    this.identifierMapped = identifierMapped;
    users = new UserRepository(jdbi);
    organizations = new OrganizationRepository(jdbi);
    memberships = new MembershipRepository(jdbi);
    customers = new MarketplaceCustomerRepository(jdbi);
    links = new MarketplaceLinkRepository(jdbi);
    connect = new ConnectTransaction(jdbi);
  }

  @Override
  public OrganizationRef registerCustomer(ResolvedCustomer customer) {
    ConnectTransaction.register(customers, Inputs.customer(customer));
    if (customer.customerIdentifier() != null) {
      // Committed above: a retry of this activity tells again, which is harmless.
      identifierMapped.mapped(
          customer.productCode(), customer.customerIdentifier(), customer.awsAccountId());
    }
    return links
        .find(customer.productCode(), customer.awsAccountId())
        .flatMap(link -> organizations.findById(link.organizationId()))
        .map(AccountActivitiesImpl::ref)
        .orElse(null);
  }

  @Override
  public SignInResult signIn(VerifiedIdentity identity) {
    if (identity == null) {
      throw Inputs.invalid("The identity is missing.");
    }
    User user =
        users.signIn(
            Inputs.required(identity.issuer(), "issuer"),
            Inputs.required(identity.subject(), "subject"),
            identity.email(),
            identity.displayName());
    return new SignInResult(
        new SignedInUser(
            user.id().toString(), identity.provider(), user.email(), user.displayName()),
        options(user.id()));
  }

  @Override
  public List<OrganizationOption> listOrganizations(String userId) {
    UUID id = Inputs.uuid(userId, "user id");
    if (users.findById(id).isEmpty()) {
      throw Inputs.invalid("There is no user " + id + ".");
    }
    return options(id);
  }

  @Override
  public ConnectResult connect(ConnectCommand command) {
    return connect.run(command);
  }

  private List<OrganizationOption> options(UUID userId) {
    return memberships.organizationsOf(userId).stream().map(Eligibility::of).toList();
  }

  static OrganizationRef ref(Organization organization) {
    return new OrganizationRef(
        organization.id().toString(), organization.name(), organization.plan().name());
  }
}
