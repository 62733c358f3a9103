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
import io.mpconnect.persistence.LicenseRepository;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.SubscriptionLicenses;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionTransition;
import io.mpconnect.workflows.messages.TransitionResult;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
    // Retried after its commit (or run again as a local activity), it finds its work done and
    // answers as the first time: the workflow decides on it whether the owners hear.
    assertThat(activities.applyTransition(transition(linked, SubscriptionStatus.ACTIVE, 1)))
        .isEqualTo(new TransitionResult("STANDARD", true, true));
    // The same status under a later sequence changes nothing.
    assertThat(activities.applyTransition(transition(linked, SubscriptionStatus.ACTIVE, 2)))
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

  @Test
  void findLink_byTheAwsAccount_returnsTheSameLinkKeyedByTheAccount() {
    Linked linked = linked("Acme By Account", "300000000007", "cust-by-account");

    SubscriptionLink link = activities.findLink("prod", "300000000007");

    assertThat(link.organizationId()).isEqualTo(linked.organization.toString());
    assertThat(link.customerKey()).isEqualTo("300000000007");
    assertThat(link.awsAccountId()).isEqualTo("300000000007");
    assertThat(link.customerIdentifier()).isEqualTo("cust-by-account");
    assertThat(activities.findLink("prod", "399999999999")).isNull();
  }

  @Test
  void aTransitionKeyedByTheAccount_appliesAndIsAuditedUnderThatKey() {
    Linked linked = linked("Acme Keyed", "300000000008", "cust-keyed");
    SubscriptionTransition byAccount =
        new SubscriptionTransition("prod", "300000000008", "cust-keyed", "300000000008",
            linked.organization.toString(), SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE,
            "license-updated", "m-8", 1, "sqs");

    assertThat(activities.applyTransition(byAccount))
        .isEqualTo(new TransitionResult("STANDARD", true, true));
    assertThat(audit.forOrganization(linked.organization))
        .filteredOn(e -> e.action() == AuditAction.SUBSCRIPTION_STATUS_CHANGED).singleElement()
        .satisfies(e -> assertThat(e.details()).containsEntry("customerKey", "300000000008"));
  }

  @Test
  void aTransitionNamingNeitherAccountNorIdentifier_usesTheKey_whichIsThenTheAccount() {
    Linked linked = linked("Acme Key Only", "300000000009", null);
    SubscriptionTransition keyOnly =
        new SubscriptionTransition("prod", "300000000009", null, null,
            linked.organization.toString(), SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE,
            "license-updated", "m-9", 1, "sqs");

    assertThat(activities.applyTransition(keyOnly).planChanged()).isTrue();
  }

  @Test
  void saveLicenses_storesEveryLicenseOfTheCustomer_andARetryWritesTheSame() {
    Linked linked = linked("Acme Licenses", "300000000010", null);
    SubscriptionLicenses set = licenses(linked.account, linked.organization.toString(), 4,
        usable("agmt-1", "arn:aws:license-manager::1:license/l-1"),
        new License("arn:arn-2", "arn-2", null, LicenseStatus.PENDING, null, null, null, null,
            null, null, null, null));

    activities.saveLicenses(set);
    List<MarketplaceLicense> stored =
        new LicenseRepository(jdbi).forCustomer("prod", linked.account);
    activities.saveLicenses(set);

    assertThat(new LicenseRepository(jdbi).forCustomer("prod", linked.account))
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("updatedAt")
        .containsExactlyElementsOf(stored);
    assertThat(stored).extracting(MarketplaceLicense::key)
        .containsExactlyInAnyOrder("agmt-1", "arn:arn-2");
    assertThat(new LicenseRepository(jdbi).forOrganization(linked.organization))
        .filteredOn(l -> l.key().equals("agmt-1")).singleElement()
        .satisfies(l -> {
          assertThat(l.licenseArn()).isEqualTo("arn:aws:license-manager::1:license/l-1");
          assertThat(l.agreementId()).isEqualTo("agmt-1");
          assertThat(l.status()).isEqualTo(MarketplaceLicense.Status.USABLE);
          assertThat(l.usableFrom()).isEqualTo(FROM);
          assertThat(l.freeTrial()).isTrue();
          assertThat(l.offerId()).isEqualTo("offer-agmt-1");
          assertThat(l.intent()).isEqualTo("NEW");
          assertThat(l.sequence()).isEqualTo(4);
        });
  }

  @Test
  void saveLicenses_ignoresAWriteOlderThanTheStoredOne() {
    activities.saveLicenses(licenses("300000000011", null, 7,
        new License("agmt-old", "arn-old", "agmt-old", LicenseStatus.ENDED, FROM, FROM, FROM,
            null, null, "NEW", "CANCELLED", FROM)));

    activities.saveLicenses(licenses("300000000011", null, 6, usable("agmt-old", "arn-old")));

    assertThat(new LicenseRepository(jdbi).forCustomer("prod", "300000000011")).singleElement()
        .satisfies(l -> {
          assertThat(l.status()).isEqualTo(MarketplaceLicense.Status.ENDED);
          assertThat(l.sequence()).isEqualTo(7);
        });
  }

  @Test
  void saveLicenses_withIncompleteInput_failsForGood() {
    License good = usable("agmt-x", "arn-x");
    License noKey = new License(" ", "arn-y", null, LicenseStatus.PENDING, null, null, null, null,
        null, null, null, null);
    License noStatus = new License("agmt-z", "arn-z", null, null, null, null, null, null, null,
        null, null, null);
    for (SubscriptionLicenses incomplete : Arrays.asList(
        null,
        new SubscriptionLicenses(" ", "300000000012", null, List.of(good), 1),
        new SubscriptionLicenses("prod", null, null, List.of(good), 1),
        new SubscriptionLicenses("prod", "300000000012", null, null, 1),
        new SubscriptionLicenses("prod", "300000000012", "not-a-uuid", List.of(good), 1),
        new SubscriptionLicenses("prod", "300000000012", null, Arrays.asList(good, null), 1),
        licenses("300000000012", null, 1, noKey),
        licenses("300000000012", null, 1, noStatus),
        licenses("300000000012", null, 1, good, good))) {
      ApplicationFailure failure =
          catchThrowableOfType(ApplicationFailure.class, () -> activities.saveLicenses(incomplete));
      assertThat(failure).as("%s", incomplete).isNotNull();
      assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
      assertThat(failure.isNonRetryable()).isTrue();
    }
    assertThat(new LicenseRepository(jdbi).forCustomer("prod", "300000000012")).isEmpty();
  }

  @Test
  void accountOfIdentifier_mapsARegisteredIdentifier_elseNull() {
    linked("Acme Mapped", "300000000013", "cust-mapped");

    assertThat(activities.accountOfIdentifier("prod", "cust-mapped")).isEqualTo("300000000013");
    assertThat(activities.accountOfIdentifier("prod", "cust-unseen")).isNull();
    assertThat(activities.accountOfIdentifier("other-prod", "cust-mapped")).isNull();
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class,
        () -> activities.accountOfIdentifier("prod", " "));
    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.isNonRetryable()).isTrue();
  }

  private static final Instant FROM = Instant.parse("2026-06-02T08:00:00Z");

  private static License usable(String agreement, String arn) {
    return new License(agreement, arn, agreement, LicenseStatus.USABLE, FROM, null, null, true,
        "offer-" + agreement, "NEW", null, FROM);
  }

  private static SubscriptionLicenses licenses(
      String account, String organization, long sequence, License... licenses) {
    return new SubscriptionLicenses("prod", account, organization, Arrays.asList(licenses), sequence);
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
