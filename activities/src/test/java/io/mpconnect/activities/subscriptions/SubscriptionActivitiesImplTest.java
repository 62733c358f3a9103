package io.mpconnect.activities.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpconnect.activities.accounts.TestDatabase;
import io.mpconnect.activities.notifications.MailSender;
import io.mpconnect.activities.notifications.OutboxDispatcher;
import io.mpconnect.activities.notifications.OutgoingEmail;
import io.mpconnect.persistence.AuditAction;
import io.mpconnect.persistence.AuditEntry;
import io.mpconnect.persistence.AuditLog;
import io.mpconnect.persistence.BillingProvider;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionTransition;
import io.mpconnect.workflows.messages.TransitionResult;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SubscriptionActivitiesImplTest {
  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private final Jdbi jdbi = db.jdbi();
  private final SubscriptionActivitiesImpl activities = new SubscriptionActivitiesImpl(jdbi);
  private final OrganizationRepository organizations = new OrganizationRepository(jdbi);
  private final AuditLog audit = new AuditLog(jdbi);

  @Test
  void aTransitionToActive_putsTheLinkedOrganizationOnStandardBilledThroughAws() {
    Linked linked = linked("Acme Active", "300000000001", "cust-active");

    TransitionResult result = activities.applyTransition(transition(linked, SubscriptionStatus.ACTIVE, 1));

    assertThat(result).isEqualTo(new TransitionResult("STANDARD", true, true));
    Organization organization = organizations.findById(linked.organization).orElseThrow();
    assertThat(organization.plan()).isEqualTo(Plan.STANDARD);
    assertThat(organization.billingProvider()).isEqualTo(BillingProvider.AWS_MARKETPLACE);
    assertThat(audit.forOrganization(linked.organization))
        .extracting(AuditEntry::action)
        .contains(AuditAction.SUBSCRIPTION_STATUS_CHANGED, AuditAction.PLAN_CHANGED);
    // Retried after its commit, it finds its work done.
    assertThat(activities.applyTransition(transition(linked, SubscriptionStatus.ACTIVE, 1)))
        .isEqualTo(new TransitionResult("STANDARD", false, false));
  }

  @Test
  void aTransitionNamingOnlyTheCustomerIdentifier_findsTheAccount() {
    Linked linked = linked("Acme Identifier", "300000000002", "cust-identifier");
    SubscriptionTransition withoutAccount =
        new SubscriptionTransition("prod", "cust-identifier", "cust-identifier", null,
            linked.organization.toString(), SubscriptionStatus.PENDING, SubscriptionStatus.FAILED,
            "subscribe-fail", "m-1", 1, "sqs");

    assertThat(activities.applyTransition(withoutAccount).linkChanged()).isTrue();
  }

  @Test
  void aTransitionBeforeAnyLink_isAuditedForTheCustomer() {
    new MarketplaceCustomerRepository(jdbi).register("prod", "300000000003", "cust-early");
    SubscriptionTransition early =
        new SubscriptionTransition("prod", "cust-early", "cust-early", null, null,
            SubscriptionStatus.PENDING, SubscriptionStatus.UNSUBSCRIBE_PENDING,
            "unsubscribe-pending", "m-2", 1, "admin");

    assertThat(activities.applyTransition(early)).isEqualTo(new TransitionResult(null, false, false));
    activities.applyTransition(early);

    assertThat(audit.forCustomer("prod", "300000000003")).singleElement()
        .satisfies(e -> {
          assertThat(e.action()).isEqualTo(AuditAction.SUBSCRIPTION_STATUS_CHANGED);
          assertThat(e.organizationId()).isNull();
          assertThat(e.details()).containsEntry("to", "UNSUBSCRIBE_PENDING")
              .containsEntry("messageId", "m-2").containsEntry("source", "admin");
        });
  }

  @Test
  void aTransitionForAnOrganizationThatIsNotLinked_failsForGood() {
    Linked linked = linked("Acme Mine", "300000000004", "cust-mine");
    UUID stranger = UUID.randomUUID();
    organizations.insertIfAbsent(stranger, "Stranger", Plan.STARTER);
    SubscriptionTransition wrong =
        new SubscriptionTransition("prod", "cust-mine", "cust-mine", "300000000004",
            stranger.toString(), SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE,
            "subscribe-success", null, 1, "sqs");

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities.applyTransition(wrong));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(organizations.findById(linked.organization).orElseThrow().plan())
        .isEqualTo(Plan.STARTER);
  }

  @Test
  void findLink_returnsTheLinkAndTheOnboardingThatMadeIt() {
    Linked linked = linked("Acme Found", "300000000005", "cust-found");

    SubscriptionLink link = activities.findLink("prod", "cust-found");

    assertThat(link.organizationId()).isEqualTo(linked.organization.toString());
    assertThat(link.organizationName()).isEqualTo("Acme Found");
    assertThat(link.awsAccountId()).isEqualTo("300000000005");
    assertThat(link.customerKey()).isEqualTo("cust-found");
    assertThat(link.onboardingId()).isEqualTo("onb-300000000005");
    assertThat(link.onboardingWorkflowId()).isEqualTo("onboarding-onb-300000000005");
    assertThat(activities.findLink("prod", "cust-nobody")).isNull();
  }

  @Test
  void notifyOwners_queuesOneMailPerOwnerOnce_andTheDispatcherDeliversIt() {
    Linked linked = linked("Acme Notice", "300000000006", "cust-notice");
    UUID member = user("member@example.com");
    new MembershipRepository(jdbi).addIfAbsent(linked.organization, member, Role.MEMBER);
    SubscriptionNotice notice =
        new SubscriptionNotice(SubscriptionNotice.Kind.ENDED, "prod", "cust-notice",
            "300000000006", linked.organization.toString(), 7);

    activities.notifyOwners(notice);
    activities.notifyOwners(notice);

    assertThat(db.count("SELECT count(*) FROM notification_outbox WHERE kind = 'SUBSCRIPTION_ENDED'"
        + " AND organization_id = ?", linked.organization)).isEqualTo(1);
    List<OutgoingEmail> sent = new CopyOnWriteArrayList<>();
    MailSender capture = new MailSender() {
      @Override
      public String vendorName() {
        return "Demo SaaS";
      }

      @Override
      public void send(OutgoingEmail email) {
        sent.add(email);
      }
    };
    new OutboxDispatcher(jdbi, capture, new OutboxDispatcher.Settings(
        Duration.ofMillis(50), 50, 3, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(15)))
        .dispatchDue();
    assertThat(sent).filteredOn(e -> e.subject().contains("Acme Notice")).singleElement()
        .satisfies(email -> {
          assertThat(email.to()).isEqualTo(linked.ownerEmail);
          assertThat(email.subject()).contains("has ended");
          assertThat(email.text()).contains("back on the free Starter plan")
              .contains("300000000006").contains("Demo SaaS");
          assertThat(email.summary()).doesNotContain("@");
        });
  }

  private record Linked(UUID organization, String account, String identifier, String ownerEmail) {}

  private Linked linked(String name, String account, String identifier) {
    UUID org = UUID.randomUUID();
    organizations.insertIfAbsent(org, name, Plan.STARTER);
    String email = "owner-" + account + "@example.com";
    new MembershipRepository(jdbi).addIfAbsent(org, user(email), Role.OWNER);
    new MarketplaceCustomerRepository(jdbi).register("prod", account, identifier);
    new MarketplaceLinkRepository(jdbi).linkIfAbsent("prod", account, org, "onb-" + account, "test");
    return new Linked(org, account, identifier, email);
  }

  private UUID user(String email) {
    return new UserRepository(jdbi).signIn("https://idp.test", email, email, "User").id();
  }

  private static SubscriptionTransition transition(Linked linked, SubscriptionStatus to, long sequence) {
    return new SubscriptionTransition("prod", linked.identifier, linked.identifier, linked.account,
        linked.organization.toString(), SubscriptionStatus.PENDING, to, "subscribe-success",
        "m-" + sequence, sequence, "sqs");
  }
}
