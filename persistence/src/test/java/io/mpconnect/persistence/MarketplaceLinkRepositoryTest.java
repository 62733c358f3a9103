package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.MarketplaceLinkRepository.Activation;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MarketplaceLinkRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private final Jdbi jdbi = postgres.jdbi();
  private final MarketplaceCustomerRepository customers = new MarketplaceCustomerRepository(jdbi);
  private final MarketplaceLinkRepository links = new MarketplaceLinkRepository(jdbi);
  private final OrganizationRepository organizations = new OrganizationRepository(jdbi);
  private final AuditLog audit = new AuditLog(jdbi);

  @Test
  void registerAgain_keepsFirstSeen_andFillsIdentifierOnce() {
    customers.register("prod", "100000000001", null);
    MarketplaceCustomer first = customers.find("prod", "100000000001").orElseThrow();

    customers.register("prod", "100000000001", "cust-1");
    customers.register("prod", "100000000001", "cust-other");

    MarketplaceCustomer now = customers.find("prod", "100000000001").orElseThrow();
    assertThat(now.firstSeenAt()).isEqualTo(first.firstSeenAt());
    assertThat(now.customerIdentifier()).isEqualTo("cust-1");
    assertThat(customers.findByCustomerIdentifier("prod", "cust-1")).contains(now);
  }

  @Test
  void linkTwice_makesOneLink_andOneAuditRow() {
    UUID org = starter("Linked Twice");
    customers.register("prod", "100000000002", null);

    assertThat(links.linkIfAbsent("prod", "100000000002", org, "onb-1", "user:test")).isTrue();
    assertThat(links.linkIfAbsent("prod", "100000000002", org, "onb-1", "user:test")).isFalse();

    assertThat(links.find("prod", "100000000002").orElseThrow().subscriptionStatus())
        .isEqualTo(LinkStatus.PENDING);
    assertThat(audit.forOrganization(org))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.action()).isEqualTo(AuditAction.LINKED);
              assertThat(e.awsAccountId()).isEqualTo("100000000002");
              assertThat(e.details()).containsEntry("onboardingId", "onb-1");
            });
  }

  @Test
  void activate_movesOrganizationToPaidPlan_andAuditsThePlanChangeOnce() {
    UUID org = starter("To Be Paid");
    customers.register("prod", "100000000003", "cust-3");
    links.linkIfAbsent("prod", "100000000003", org, "onb-3", "user:test");

    assertThat(links.activate("prod", "100000000003", "aws-marketplace"))
        .isEqualTo(Activation.ACTIVATED);
    assertThat(links.activate("prod", "100000000003", "aws-marketplace"))
        .isEqualTo(Activation.ALREADY_ACTIVE);

    OrganizationDetails details = organizations.findDetails(org).orElseThrow();
    assertThat(details.organization().plan()).isEqualTo(Plan.STANDARD);
    assertThat(details.organization().billingProvider()).isEqualTo(BillingProvider.AWS_MARKETPLACE);
    assertThat(details.link().subscriptionStatus()).isEqualTo(LinkStatus.ACTIVE);
    assertThat(details.link().customerIdentifier()).isEqualTo("cust-3");
    assertThat(audit.forOrganization(org))
        .filteredOn(e -> e.action() == AuditAction.PLAN_CHANGED)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.actor()).isEqualTo("aws-marketplace");
              assertThat(e.details())
                  .containsEntry("fromPlan", "STARTER")
                  .containsEntry("toPlan", "STANDARD");
            });
  }

  @Test
  void activate_afterUnsubscribe_reactivatesSameLink() {
    UUID org = starter("Comes Back");
    customers.register("prod", "100000000004", null);
    links.linkIfAbsent("prod", "100000000004", org, "onb-4", "user:test");
    links.activate("prod", "100000000004", "aws-marketplace");
    jdbi.useHandle(
        h ->
            h.execute(
                "UPDATE marketplace_links SET subscription_status = 'UNSUBSCRIBED'"
                    + " WHERE aws_account_id = '100000000004'"));

    assertThat(links.activate("prod", "100000000004", "aws-marketplace"))
        .isEqualTo(Activation.ACTIVATED);
    assertThat(links.findByOrganization(org).orElseThrow().subscriptionStatus())
        .isEqualTo(LinkStatus.ACTIVE);
  }

  @Test
  void activate_withoutLink_changesNothing() {
    customers.register("prod", "100000000005", null);

    assertThat(links.activate("prod", "100000000005", "aws-marketplace"))
        .isEqualTo(Activation.NOT_LINKED);
    assertThat(audit.forCustomer("prod", "100000000005")).isEmpty();
  }

  @Test
  void findDetails_ofUnlinkedOrganization_hasNoLink() {
    UUID org = starter("Alone");

    OrganizationDetails details = organizations.findDetails(org).orElseThrow();

    assertThat(details.organization().name()).isEqualTo("Alone");
    assertThat(details.organization().billingProvider()).isEqualTo(BillingProvider.NONE);
    assertThat(details.link()).isNull();
    assertThat(organizations.findDetails(UUID.randomUUID())).isEmpty();
  }

  @Test
  void createForOnboardingTwice_returnsTheFirstOrganization() {
    OrganizationRepository.Created first =
        organizations.createForOnboarding("New Co", "onb-new", "user:test");
    OrganizationRepository.Created again =
        organizations.createForOnboarding("Renamed Co", "onb-new", "user:test");

    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.organization()).isEqualTo(first.organization());
    assertThat(audit.forOrganization(first.organization().id()))
        .extracting(AuditEntry::action)
        .containsExactly(AuditAction.ORGANIZATION_CREATED);
  }

  private UUID starter(String name) {
    UUID id = UUID.randomUUID();
    organizations.insertIfAbsent(id, name, Plan.STARTER);
    return id;
  }
}
