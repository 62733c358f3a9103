package io.mpconnect.activities.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import io.mpconnect.persistence.AuditAction;
import io.mpconnect.persistence.AuditEntry;
import io.mpconnect.persistence.AuditLog;
import io.mpconnect.persistence.BillingProvider;
import io.mpconnect.persistence.DemoData;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.ConnectResult.Status;
import io.mpconnect.workflows.messages.IneligibleReason;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SignInResult;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.temporal.failure.ApplicationFailure;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AccountActivitiesImplTest {
  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final String ISSUER = "http://127.0.0.1:9000/dev";
  private static final String PRODUCT = "prod-test";
  private static final AtomicLong accounts = new AtomicLong(200_000_000_000L);

  private static DemoData.Seeded demo;

  private final AccountActivitiesImpl activities = new AccountActivitiesImpl(db.jdbi());
  private final OrganizationRepository organizations = new OrganizationRepository(db.jdbi());
  private final AuditLog audit = new AuditLog(db.jdbi());

  @BeforeAll
  static void seed() {
    demo = DemoData.seed(db.jdbi(), ISSUER);
  }

  @Test
  void signInTwice_withSameIdentity_makesOneUser() {
    VerifiedIdentity identity = identity("twice");

    SignInResult first = activities.signIn(identity);
    SignInResult second = activities.signIn(identity);

    assertThat(second.user().userId()).isEqualTo(first.user().userId());
    assertThat(second.user().provider()).isEqualTo("dev");
    assertThat(db.count("SELECT count(*) FROM user_identities WHERE subject = ?", "twice"))
        .isEqualTo(1);
  }

  @Test
  void signIn_withDemoData_givesEachOrganizationsEligibility_byName() {
    SignInResult result =
        activities.signIn(
            new VerifiedIdentity(
                "dev", ISSUER, DemoData.OWNER_EMAIL, DemoData.OWNER_EMAIL, "Olivia"));

    assertThat(result.user().userId()).isEqualTo(demo.ownerUserId().toString());
    assertThat(result.organizations())
        .extracting(
            OrganizationOption::name,
            OrganizationOption::role,
            OrganizationOption::eligible,
            OrganizationOption::ineligibleReason)
        .containsExactly(
            tuple("Acme Analytics", "OWNER", true, null),
            tuple("Acme Enterprise", "OWNER", false, IneligibleReason.NOT_STARTER_PLAN),
            tuple("Globex Research", "MEMBER", false, IneligibleReason.NOT_OWNER));
  }

  @Test
  void listOrganizations_afterConnect_showsAlreadyLinked() {
    String user = newUser("lister");
    UUID org = ownedStarter(user, "Linked Later");

    ConnectResult result =
        activities.connect(command("onb-lister", user, customer(), existing(org), false));

    assertThat(result.status()).isEqualTo(Status.CONNECTED);
    assertThat(activities.listOrganizations(user))
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.eligible()).isFalse();
              assertThat(o.ineligibleReason()).isEqualTo(IneligibleReason.ALREADY_LINKED);
            });
  }

  /**
   * Once AWS confirms, a linked organization is on the paid plan: it is refused as already
   * connected, with its AWS account, not as "not on the Starter plan".
   */
  @Test
  void listOrganizations_afterAwsConfirmed_saysAlreadyLinkedWithTheAwsAccount_notThePlan() {
    String user = newUser("confirmed");
    UUID org = ownedStarter(user, "Confirmed Co");
    ResolvedCustomer customer = customer();

    activities.connect(command("onb-confirmed", user, customer, existing(org), true));

    assertThat(activities.listOrganizations(user))
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.plan()).isEqualTo("STANDARD");
              assertThat(o.eligible()).isFalse();
              assertThat(o.ineligibleReason()).isEqualTo(IneligibleReason.ALREADY_LINKED);
              assertThat(o.linkedAwsAccount()).isEqualTo(customer.awsAccountId());
            });
  }

  @Test
  void registerCustomer_returnsNullUntilLinked_thenTheOrganization() {
    String user = newUser("registrar");
    UUID org = ownedStarter(user, "Registered Co");
    ResolvedCustomer customer = customer();

    assertThat(activities.registerCustomer(customer)).isNull();
    activities.connect(command("onb-registrar", user, customer, existing(org), true));

    assertThat(activities.registerCustomer(customer))
        .satisfies(
            ref -> {
              assertThat(ref.id()).isEqualTo(org.toString());
              assertThat(ref.name()).isEqualTo("Registered Co");
              assertThat(ref.plan()).isEqualTo("STANDARD");
            });
  }

  @Test
  void connectTwice_makesOneLink_activatesOnce_andAuditsLinkAndPlanChange() {
    String user = newUser("twice-existing");
    UUID org = ownedStarter(user, "Twice Co");
    ResolvedCustomer customer = customer();
    ConnectCommand command = command("onb-twice", user, customer, existing(org), true);

    ConnectResult first = activities.connect(command);
    ConnectResult retry = activities.connect(command);

    assertThat(first.status()).isEqualTo(Status.CONNECTED);
    assertThat(retry.status()).isEqualTo(Status.CONNECTED);
    assertThat(retry.organization()).isEqualTo(first.organization());
    assertThat(first.organization().plan()).isEqualTo("STANDARD");
    assertThat(linksOf(customer)).isEqualTo(1);
    OrganizationDetails details = organizations.findDetails(org).orElseThrow();
    assertThat(details.organization().billingProvider()).isEqualTo(BillingProvider.AWS_MARKETPLACE);
    assertThat(details.link().subscriptionStatus()).isEqualTo(LinkStatus.ACTIVE);
    assertThat(details.link().linkedByOnboarding()).isEqualTo("onb-twice");
    assertThat(audit.forOrganization(org))
        .extracting(AuditEntry::action, AuditEntry::actor, AuditEntry::awsAccountId)
        .containsExactly(
            tuple(AuditAction.LINKED, "user:" + user, customer.awsAccountId()),
            tuple(AuditAction.PLAN_CHANGED, "user:" + user, customer.awsAccountId()));
  }

  @Test
  void connectTwice_withNewOrganization_makesOneOrganizationAndOneLink() {
    String user = newUser("twice-new");
    ResolvedCustomer customer = customer();
    ConnectCommand command =
        command("onb-new-twice", user, customer, ConnectChoice.create("  Fresh Co "), true);

    ConnectResult first = activities.connect(command);
    ConnectResult retry = activities.connect(command);

    assertThat(retry.organization()).isEqualTo(first.organization());
    assertThat(first.organization().name()).isEqualTo("Fresh Co");
    assertThat(
            db.count(
                "SELECT count(*) FROM organizations WHERE created_by_onboarding = ?",
                "onb-new-twice"))
        .isEqualTo(1);
    assertThat(linksOf(customer)).isEqualTo(1);
    assertThat(activities.listOrganizations(user))
        .extracting(OrganizationOption::name, OrganizationOption::role, OrganizationOption::plan)
        .containsExactly(tuple("Fresh Co", "OWNER", "STANDARD"));
    assertThat(audit.forOrganization(UUID.fromString(first.organization().id())))
        .extracting(AuditEntry::action)
        .containsExactly(
            AuditAction.ORGANIZATION_CREATED, AuditAction.LINKED, AuditAction.PLAN_CHANGED);
  }

  @Test
  void connectWithoutActivation_leavesStarterPlan_andPendingLink() {
    String user = newUser("pending");
    UUID org = ownedStarter(user, "Pending Co");
    ResolvedCustomer customer = customer();

    ConnectResult result =
        activities.connect(command("onb-pending", user, customer, existing(org), false));

    assertThat(result.organization().plan()).isEqualTo("STARTER");
    assertThat(new MarketplaceLinkRepository(db.jdbi()).find(PRODUCT, customer.awsAccountId()))
        .hasValueSatisfying(l -> assertThat(l.subscriptionStatus()).isEqualTo(LinkStatus.PENDING));
    assertThat(audit.forOrganization(org))
        .extracting(AuditEntry::action)
        .containsExactly(AuditAction.LINKED);
  }

  @Test
  void customerLinkedByAnotherOnboarding_withNewOrganization_leavesNoOrphanOrganization() {
    String first = newUser("first");
    String second = newUser("second");
    UUID holder = ownedStarter(first, "Holder Co");
    ResolvedCustomer customer = customer();
    activities.connect(command("onb-first", first, customer, existing(holder), true));

    ConnectResult late =
        activities.connect(
            command("onb-late", second, customer, ConnectChoice.create("Orphan Co"), true));

    assertThat(late.status()).isEqualTo(Status.CUSTOMER_ALREADY_LINKED);
    assertThat(late.organization().id()).isEqualTo(holder.toString());
    assertThat(db.count("SELECT count(*) FROM organizations WHERE name = 'Orphan Co'")).isZero();
    assertThat(
            db.count("SELECT count(*) FROM audit_log WHERE details->>'onboardingId' = 'onb-late'"))
        .isZero();
    assertThat(activities.listOrganizations(second)).isEmpty();
  }

  @Test
  void organizationLinkedToAnotherCustomer_isUnavailable_andDatabaseRejectsASecondLink() {
    String user = newUser("one-org");
    UUID org = ownedStarter(user, "Taken Co");
    ResolvedCustomer firstCustomer = customer();
    ResolvedCustomer secondCustomer = customer();
    activities.connect(command("onb-a", user, firstCustomer, existing(org), false));

    ConnectResult result =
        activities.connect(command("onb-b", user, secondCustomer, existing(org), false));

    assertThat(result.status()).isEqualTo(Status.ORGANIZATION_UNAVAILABLE);
    assertThat(result.message())
        .contains("\"Taken Co\"")
        .contains("already connected to another AWS account");
    assertThat(linksOf(secondCustomer)).isZero();
    activities.registerCustomer(secondCustomer);
    Throwable direct =
        catchThrowableOfType(
            RuntimeException.class,
            () ->
                db.jdbi()
                    .useHandle(
                        h ->
                            h.execute(
                                "INSERT INTO marketplace_links (product_code, aws_account_id,"
                                    + " organization_id) VALUES (?, ?, ?)",
                                PRODUCT,
                                secondCustomer.awsAccountId(),
                                org)));
    assertThat(Inputs.isUniqueViolation(direct)).isTrue();
  }

  @Test
  void memberOfOrganization_isUnavailable() {
    String user = newUser("member");
    UUID org = UUID.randomUUID();
    organizations.insertIfAbsent(org, "Someone Else's", Plan.STARTER);
    db.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?,"
                        + " 'MEMBER')",
                    org,
                    UUID.fromString(user)));

    ConnectResult result =
        activities.connect(command("onb-member", user, customer(), existing(org), true));

    assertThat(result.status()).isEqualTo(Status.ORGANIZATION_UNAVAILABLE);
    assertThat(result.message()).contains("only its owners");
    assertThat(organizations.findById(org).orElseThrow().plan()).isEqualTo(Plan.STARTER);
  }

  @Test
  void organizationMovedToPaidPlanMeanwhile_isUnavailable() {
    String user = newUser("upgraded");
    UUID org = ownedStarter(user, "Upgraded Co");
    db.jdbi()
        .useHandle(h -> h.execute("UPDATE organizations SET plan = 'STANDARD' WHERE id = ?", org));

    ConnectResult result =
        activities.connect(command("onb-upgraded", user, customer(), existing(org), true));

    assertThat(result.status()).isEqualTo(Status.ORGANIZATION_UNAVAILABLE);
    assertThat(result.message()).contains("Starter plan");
  }

  @Test
  void unknownUserOrOrganization_failsNonRetryably_asInvalidInput() {
    String user = newUser("known");
    String unknownUser = UUID.randomUUID().toString();

    assertInvalidInput(
        () ->
            activities.connect(
                command("onb-x1", unknownUser, customer(), ConnectChoice.create("X"), true)));
    assertInvalidInput(
        () ->
            activities.connect(
                command("onb-x2", user, customer(), existing(UUID.randomUUID()), true)));
    assertInvalidInput(
        () ->
            activities.connect(
                command("onb-x3", "not-a-uuid", customer(), ConnectChoice.create("X"), true)));
    assertInvalidInput(() -> activities.listOrganizations(unknownUser));
    assertThat(db.count("SELECT count(*) FROM organizations WHERE name = 'X'")).isZero();
  }

  private static void assertInvalidInput(Runnable call) {
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
    assertThat(failure).as("an ApplicationFailure").isNotNull();
    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.isNonRetryable()).isTrue();
  }

  static VerifiedIdentity identity(String subject) {
    return new VerifiedIdentity("dev", ISSUER, subject, subject + "@example.com", subject);
  }

  private String newUser(String subject) {
    return activities.signIn(identity(subject + "-" + UUID.randomUUID())).user().userId();
  }

  private UUID ownedStarter(String userId, String name) {
    UUID org = UUID.randomUUID();
    organizations.insertIfAbsent(org, name, Plan.STARTER);
    db.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?,"
                        + " 'OWNER')",
                    org,
                    UUID.fromString(userId)));
    return org;
  }

  static ResolvedCustomer customer() {
    return new ResolvedCustomer(PRODUCT, Long.toString(accounts.incrementAndGet()), null);
  }

  static ConnectChoice existing(UUID organizationId) {
    return ConnectChoice.existing(organizationId.toString());
  }

  static ConnectCommand command(
      String onboardingId,
      String userId,
      ResolvedCustomer customer,
      ConnectChoice choice,
      boolean activate) {
    return new ConnectCommand(onboardingId, userId, customer, choice, activate);
  }

  private int linksOf(ResolvedCustomer customer) {
    return db.count(
        "SELECT count(*) FROM marketplace_links WHERE product_code = ? AND aws_account_id = ?",
        customer.productCode(),
        customer.awsAccountId());
  }
}
