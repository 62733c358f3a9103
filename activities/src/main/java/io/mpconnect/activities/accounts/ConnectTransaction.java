package io.mpconnect.activities.accounts;

import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.ConnectResult.Status;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Links a marketplace customer to a chosen or new organization in one transaction.
 *
 * <p>Idempotent per onboarding: a retry finds the organization the first attempt created (by its
 * onboarding id) and the link it made. Race-safe: connects of one customer queue on its row (the
 * upsert locks it until commit), and the link's unique constraints decide even without that queue.
 * A loser's transaction is rolled back whole, so an organization it had just created disappears
 * with it. Lock order is customer, organization, link, as in {@code activate}, so none deadlock.
 */
final class ConnectTransaction {
  private final Jdbi jdbi;
  private final UserRepository users;
  private final OrganizationRepository organizations;
  private final MembershipRepository memberships;
  private final MarketplaceCustomerRepository customers;
  private final MarketplaceLinkRepository links;

  ConnectTransaction(Jdbi jdbi) {
    this.jdbi = jdbi;
    users = new UserRepository(jdbi);
    organizations = new OrganizationRepository(jdbi);
    memberships = new MembershipRepository(jdbi);
    customers = new MarketplaceCustomerRepository(jdbi);
    links = new MarketplaceLinkRepository(jdbi);
  }

  ConnectResult run(ConnectCommand command) {
    if (command == null) {
      throw Inputs.invalid("The connect command is missing.");
    }
    String onboardingId = Inputs.required(command.onboardingId(), "onboarding id");
    ResolvedCustomer customer = Inputs.customer(command.customer());
    UUID userId = Inputs.uuid(command.userId(), "user id");
    ConnectChoice choice = command.choice();
    boolean createNew = createsNew(choice);
    UUID organizationId = createNew ? null : Inputs.uuid(choiceId(choice), "organization id");
    String name =
        createNew ? Inputs.required(choice.newOrganizationName(), "organization name") : null;
    String actor = "user:" + userId;

    try {
      return jdbi.inTransaction(
          h -> {
            if (users.findById(userId).isEmpty()) {
              throw Inputs.invalid("There is no user " + userId + ".");
            }
            register(customers, customer);
            Organization organization =
                createNew
                    ? createOrFind(name, onboardingId, userId, actor)
                    : lockIfConnectable(organizationId, userId, customer);
            return link(organization, onboardingId, customer, actor, command.activate());
          });
    } catch (Refused refused) {
      return refused.result;
    }
  }

  /** Records the customer; an identifier already held by another account is invalid input. */
  static void register(MarketplaceCustomerRepository customers, ResolvedCustomer customer) {
    try {
      customers.register(
          customer.productCode(), customer.awsAccountId(), customer.customerIdentifier());
    } catch (UnableToExecuteStatementException e) {
      if (Inputs.isUniqueViolation(e)) {
        throw Inputs.invalid(
            "The customer identifier of AWS account "
                + customer.awsAccountId()
                + " is already registered for another AWS account of this product.");
      }
      throw e;
    }
  }

  private Organization createOrFind(String name, String onboardingId, UUID userId, String actor) {
    OrganizationRepository.Created created =
        organizations.createForOnboarding(name, onboardingId, actor);
    if (created.created()) {
      memberships.addIfAbsent(created.organization().id(), userId, Role.OWNER);
    }
    return created.organization();
  }

  /** Locks the organization, then checks again what the sign-up page showed as eligible. */
  private Organization lockIfConnectable(
      UUID organizationId, UUID userId, ResolvedCustomer customer) {
    Organization organization =
        organizations
            .lockById(organizationId)
            .orElseThrow(() -> Inputs.invalid("There is no organization " + organizationId + "."));
    Optional<MarketplaceLink> existing = links.findByOrganization(organizationId);
    if (existing.isPresent()
        && existing.get().isFor(customer.productCode(), customer.awsAccountId())) {
      return organization; // a retry of a connect that committed: its plan may have changed since
    }
    String quoted = "\"" + organization.name() + "\"";
    if (existing.isPresent()) {
      throw unavailable(quoted + " is already connected to another AWS account.");
    }
    if (memberships.roleOf(organizationId, userId).orElse(null) != Role.OWNER) {
      throw unavailable(
          quoted + " cannot be connected: only its owners can connect it to a marketplace.");
    }
    if (organization.plan() != Plan.STARTER) {
      throw unavailable(quoted + " cannot be connected: it is no longer on the free Starter plan.");
    }
    return organization;
  }

  private ConnectResult link(
      Organization organization,
      String onboardingId,
      ResolvedCustomer customer,
      String actor,
      boolean activate) {
    String productCode = customer.productCode();
    String awsAccountId = customer.awsAccountId();
    links.linkIfAbsent(productCode, awsAccountId, organization.id(), onboardingId, actor);
    // Whoever holds the link now is the answer: us (first time or retry), or a faster onboarding.
    MarketplaceLink link =
        links
            .find(productCode, awsAccountId)
            .orElseThrow(
                () ->
                    unavailable(
                        "\""
                            + organization.name()
                            + "\" is already connected to another AWS account."));
    if (!link.organizationId().equals(organization.id())) {
      Organization holder = organizations.findById(link.organizationId()).orElseThrow();
      throw new Refused(
          new ConnectResult(
              Status.CUSTOMER_ALREADY_LINKED,
              AccountActivitiesImpl.ref(holder),
              "This AWS account is already connected to the organization \""
                  + holder.name()
                  + "\"."));
    }
    if (activate) {
      links.activate(productCode, awsAccountId, actor);
    }
    Organization now = organizations.findById(organization.id()).orElseThrow();
    return new ConnectResult(Status.CONNECTED, AccountActivitiesImpl.ref(now), null);
  }

  private static String choiceId(ConnectChoice choice) {
    if (choice == null) {
      throw Inputs.invalid("Choose an organization or name a new one.");
    }
    return choice.organizationId();
  }

  private static boolean createsNew(ConnectChoice choice) {
    if (choice != null && choice.organizationId() != null && choice.newOrganizationName() != null) {
      throw Inputs.invalid("Choose an existing organization or name a new one, not both.");
    }
    return choice != null && choice.newOrganizationName() != null;
  }

  private static Refused unavailable(String message) {
    return new Refused(new ConnectResult(Status.ORGANIZATION_UNAVAILABLE, null, message));
  }

  /** Ends the transaction with a rollback and answers with the result it carries. */
  private static final class Refused extends RuntimeException {
    private final ConnectResult result;

    Refused(ConnectResult result) {
      super(result.message(), null, false, false);
      this.result = result;
    }
  }
}
