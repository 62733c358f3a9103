package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.SubscriptionRepository.Applied;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SubscriptionRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private final Jdbi jdbi = postgres.jdbi();
  private final MarketplaceCustomerRepository customers = new MarketplaceCustomerRepository(jdbi);
  private final MarketplaceLinkRepository links = new MarketplaceLinkRepository(jdbi);
  private final OrganizationRepository organizations = new OrganizationRepository(jdbi);
  private final SubscriptionRepository subscriptions = new SubscriptionRepository(jdbi);
  private final ParkedEventRepository parked = new ParkedEventRepository(jdbi);
  private final AuditLog audit = new AuditLog(jdbi);

  @Test
  void activeThenUnsubscribedThenActive_movesThePlanBothWaysAndKeepsTheLink() {
    UUID org = linked("Round Trip", "200000000001", "cust-rt");

    Applied active = apply(org, "200000000001", LinkStatus.ACTIVE, 1);
    assertThat(active.linkChanged()).isTrue();
    assertThat(active.planChanged()).isTrue();
    assertThat(active.plan()).isEqualTo(Plan.STANDARD);
    assertThat(organization(org).billingProvider()).isEqualTo(BillingProvider.AWS_MARKETPLACE);

    Applied pending = apply(org, "200000000001", LinkStatus.UNSUBSCRIBE_PENDING, 2);
    assertThat(pending.planChanged()).isFalse();
    assertThat(organization(org).plan()).as("the last hour is still billed").isEqualTo(Plan.STANDARD);

    Applied ended = apply(org, "200000000001", LinkStatus.UNSUBSCRIBED, 3);
    assertThat(ended.plan()).isEqualTo(Plan.STARTER);
    assertThat(organization(org).billingProvider()).isEqualTo(BillingProvider.NONE);
    assertThat(links.find("prod", "200000000001").orElseThrow().subscriptionStatus())
        .isEqualTo(LinkStatus.UNSUBSCRIBED);

    Applied again = apply(org, "200000000001", LinkStatus.ACTIVE, 4);
    assertThat(again.before()).isEqualTo(LinkStatus.UNSUBSCRIBED);
    assertThat(organization(org).plan()).isEqualTo(Plan.STANDARD);

    assertThat(audit.forOrganization(org))
        .extracting(AuditEntry::action)
        .containsExactly(
            AuditAction.LINKED,
            AuditAction.SUBSCRIPTION_STATUS_CHANGED, AuditAction.PLAN_CHANGED,
            AuditAction.SUBSCRIPTION_STATUS_CHANGED,
            AuditAction.SUBSCRIPTION_STATUS_CHANGED, AuditAction.PLAN_CHANGED,
            AuditAction.SUBSCRIPTION_STATUS_CHANGED, AuditAction.PLAN_CHANGED);
    assertThat(audit.forOrganization(org).get(1).details())
        .containsEntry("from", "PENDING").containsEntry("to", "ACTIVE")
        .containsEntry("cause", "subscribe-success").containsEntry("customerKey", "cust-rt");
  }

  @Test
  void applyingTheSameTransitionAgain_writesNothingAndAnswersAsTheFirstTime() {
    UUID org = linked("Twice", "200000000002", "cust-twice");
    Applied first = apply(org, "200000000002", LinkStatus.ACTIVE, 1);
    int rows = audit.forOrganization(org).size();

    // The same sequence again (an activity retried after its commit, a local activity run again
    // after its workflow task's completion was lost): the workflow decides on the answer whether
    // the owners hear, so it is the first one.
    Applied retry = apply(org, "200000000002", LinkStatus.ACTIVE, 1);

    assertThat(retry).isEqualTo(first);
    assertThat(retry.linkChanged()).isTrue();
    assertThat(retry.planChanged()).isTrue();
    assertThat(audit.forOrganization(org)).hasSize(rows);

    // The same status under a new sequence changes nothing, and says so.
    Applied again = apply(org, "200000000002", LinkStatus.ACTIVE, 2);

    assertThat(again.linkChanged()).isFalse();
    assertThat(again.planChanged()).isFalse();
    assertThat(audit.forOrganization(org)).hasSize(rows);
  }

  @Test
  void failedBeforeAnyActivation_leavesTheStarterPlanAlone() {
    UUID org = linked("Failed", "200000000003", "cust-failed");

    Applied failed = apply(org, "200000000003", LinkStatus.FAILED, 1);

    assertThat(failed.linkChanged()).isTrue();
    assertThat(failed.planChanged()).isFalse();
    assertThat(organization(org).plan()).isEqualTo(Plan.STARTER);
  }

  @Test
  void aLinkToAnotherOrganization_isNotTouched() {
    UUID org = linked("Mine", "200000000004", "cust-mine");
    UUID other = UUID.randomUUID();
    organizations.insertIfAbsent(other, "Other", Plan.STARTER);

    assertThat(subscriptions.applyStatus("prod", "200000000004", other, LinkStatus.ACTIVE,
        "cust-mine", 1, Map.of())).isEmpty();
    assertThat(organization(org).plan()).isEqualTo(Plan.STARTER);
  }

  @Test
  void findByCustomerKey_findsByIdentifierOrAccount() {
    UUID org = linked("Found", "200000000005", "cust-found");

    assertThat(subscriptions.findByCustomerKey("prod", "cust-found")).get()
        .satisfies(l -> {
          assertThat(l.organizationId()).isEqualTo(org);
          assertThat(l.organizationName()).isEqualTo("Found");
          assertThat(l.awsAccountId()).isEqualTo("200000000005");
          assertThat(l.status()).isEqualTo(LinkStatus.PENDING);
        });
    assertThat(subscriptions.findByCustomerKey("prod", "200000000005")).isPresent();
    assertThat(subscriptions.findByCustomerKey("other-product", "cust-found")).isEmpty();
    assertThat(subscriptions.findByCustomerKey("prod", "cust-nobody")).isEmpty();
  }

  @Test
  void unlinkedStatuses_areAuditedOncePerSequence() {
    customers.register("prod", "200000000006", "cust-early");
    subscriptions.recordUnlinkedStatus("prod", "200000000006", "cust-early", "PENDING", "FAILED",
        1, Map.of("cause", "subscribe-fail"));
    subscriptions.recordUnlinkedStatus("prod", "200000000006", "cust-early", "PENDING", "FAILED",
        1, Map.of("cause", "subscribe-fail"));

    assertThat(audit.forCustomer("prod", "200000000006"))
        .extracting(AuditEntry::action)
        .containsExactly(AuditAction.SUBSCRIPTION_STATUS_CHANGED);
    assertThat(subscriptions.accountOfIdentifier("prod", "cust-early")).contains("200000000006");
  }

  @Test
  void parking_keepsTheBodyOncePerQueueMessage() {
    String body = "{\"action\":\"nope\u0000\"}";
    ParkedEventRepository.Parking parking =
        new ParkedEventRepository.Parking("sqs", "UNKNOWN_ACTION", "Unknown action", "m-1",
            "prod", "cust-1", body);

    assertThat(parked.park(parking)).isTrue();
    assertThat(parked.park(parking)).isFalse();
    assertThat(parked.park(new ParkedEventRepository.Parking("admin", "MALFORMED", "x", null,
        null, null, "x".repeat(ParkedEventRepository.MAX_BODY_CHARS + 5)))).isTrue();

    assertThat(parked.countUnresolved()).isEqualTo(2);
    ParkedEvent first = parked.unresolved(10).get(0);
    assertThat(first.body()).isEqualTo("{\"action\":\"nope\uFFFD\"}");
    assertThat(first.reason()).isEqualTo("UNKNOWN_ACTION");
    assertThat(first.customerKey()).isEqualTo("cust-1");
    assertThat(parked.unresolved(10).get(1).bodyTruncated()).isTrue();
    assertThat(parked.resolve(first.id(), "re-injected")).isTrue();
    assertThat(parked.countUnresolved()).isEqualTo(1);
  }

  @Test
  void ownersOf_listsOnlyOwners() {
    DemoData.Seeded seeded = DemoData.seed(jdbi, "http://issuer");
    assertThat(subscriptions.ownersOf(DemoData.GLOBEX_RESEARCH)).containsExactly(seeded.otherUserId());
  }

  private Applied apply(UUID org, String account, LinkStatus to, long sequence) {
    return subscriptions
        .applyStatus("prod", account, org, to, customerKeyOf(account), sequence,
            Map.of("cause", to == LinkStatus.ACTIVE ? "subscribe-success" : "event"))
        .orElseThrow();
  }

  private String customerKeyOf(String account) {
    return customers.find("prod", account).orElseThrow().customerIdentifier();
  }

  private Organization organization(UUID id) {
    return organizations.findById(id).orElseThrow();
  }

  private UUID linked(String name, String account, String identifier) {
    UUID id = UUID.randomUUID();
    organizations.insertIfAbsent(id, name, Plan.STARTER);
    customers.register("prod", account, identifier);
    links.linkIfAbsent("prod", account, id, "onb-" + name, "user:test");
    return id;
  }
}
