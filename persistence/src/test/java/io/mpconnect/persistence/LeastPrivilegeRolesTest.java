package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.MeteringRunRepository;
import io.mpconnect.persistence.metering.NewUsage;
import io.mpconnect.persistence.metering.UsageIntake;
import io.mpconnect.persistence.metering.UsageRecordRepository;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The roles of V11__roles.sql hold when someone gets the api's or the worker's database
 * credentials (a code-execution bug, a leaked environment): each attack below must fail with
 * "permission denied", and what the api really runs must still work as its role. The api and the
 * worker log in as their roles here, as in the developer mode.
 */
class LeastPrivilegeRolesTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final String PRODUCT = "prod-roles";
  private static final String ACCOUNT = "123456789012";
  private static final String ISSUER = "https://issuer.example";

  private static Database owner;
  private static Database api;
  private static Database worker;
  private static UUID organization;
  private static UUID user;

  @BeforeAll
  static void connect() {
    DatabaseSettings settings = postgres.newDatabase("roles");
    owner = Database.connect(settings, 2);
    DatabaseSettings.Migration roles = settings.migration();
    String apiPassword = LoginRoles.newPassword();
    String workerPassword = LoginRoles.newPassword();
    LoginRoles.allowLogin(owner.jdbi(), roles.apiRole(), apiPassword);
    LoginRoles.allowLogin(owner.jdbi(), roles.workerRole(), workerPassword);
    // Connected as their roles; the schema is migrated (as the owner) already.
    api = Database.connect(settings.as(roles.apiRole(), apiPassword), 2);
    worker = Database.connect(settings.as(roles.workerRole(), workerPassword), 2);
    String apiUser =
        api.jdbi().withHandle(h -> h.select("SELECT current_user").mapTo(String.class).one());
    assertThat(apiUser).isEqualTo("mpconnect_api");

    // What the worker writes during an onboarding and a subscription, as the worker.
    Jdbi w = worker.jdbi();
    organization = UUID.randomUUID();
    new OrganizationRepository(w).insertIfAbsent(organization, "Roles Inc", Plan.STARTER);
    user = new UserRepository(w).signIn(ISSUER, "subject-1", "owner@roles.example", "Owner").id();
    new MembershipRepository(w).addIfAbsent(organization, user, Role.OWNER);
    new MarketplaceCustomerRepository(w).register(PRODUCT, ACCOUNT, "cust-roles");
    assertThat(new MarketplaceLinkRepository(w)
        .linkIfAbsent(PRODUCT, ACCOUNT, organization, "onboarding-roles", "test")).isTrue();
    new LicenseRepository(w).save(new LicenseRepository.LicenseSet(PRODUCT, ACCOUNT, organization,
        List.of(new LicenseRepository.Entry("agmt-1", "arn:aws:license:1", "agmt-1",
            MarketplaceLicense.Status.USABLE, Instant.now().minus(2, ChronoUnit.DAYS), null, null,
            false, "offer-1", null, null)), 1));
  }

  @AfterAll
  static void close() {
    api.close();
    worker.close();
    owner.close();
  }

  @Test
  void apiCredentialsCannotChangeOrganizationsLinksMembershipsOrLicenses() {
    for (String attack : List.of(
        "UPDATE organizations SET plan = 'STANDARD', billing_provider = 'AWS_MARKETPLACE'",
        "DELETE FROM organizations",
        "INSERT INTO organizations (name) VALUES ('mine')",
        "UPDATE marketplace_links SET organization_id = organization_id",
        "DELETE FROM marketplace_links",
        "UPDATE marketplace_links SET subscription_status = 'ACTIVE'",
        "INSERT INTO memberships (organization_id, user_id, role)"
            + " SELECT id, id, 'OWNER' FROM organizations",
        "UPDATE memberships SET role = 'OWNER'",
        "UPDATE marketplace_licenses SET status = 'USABLE'",
        "DELETE FROM marketplace_licenses",
        "UPDATE marketplace_customers SET customer_identifier = 'x'",
        "INSERT INTO metering_records (product_code, aws_account_id, dimension, usage_hour,"
            + " quantity, origin) VALUES ('p', 'a', 'd', date_trunc('hour', now()), 1, 'HOURLY')",
        "UPDATE metering_runs SET status = 'COMPLETED'",
        "UPDATE users SET email = 'attacker@example.com'")) {
      assertDenied(api, attack);
    }
  }

  @Test
  void apiCredentialsCannotRewriteOrDeleteUsageAlreadyReported() {
    assertDenied(api, "UPDATE usage_records SET quantity = 0");
    assertDenied(api, "DELETE FROM usage_records");
    assertDenied(api, "DELETE FROM unmetered_usage");
    assertDenied(api, "UPDATE unmetered_usage SET quantity = 0");
  }

  @Test
  void apiCredentialsCannotReadEmailOutboxAuditLogParkedEventsOrWhatTheApiNeverUses() {
    for (String attack : List.of(
        "SELECT * FROM notification_outbox",
        "SELECT * FROM audit_log",
        "SELECT * FROM parked_events",
        "SELECT * FROM flyway_schema_history",
        "SELECT * FROM metered_usage",
        "SELECT * FROM marketplace_license_writes",
        "SELECT * FROM user_identities",
        "SELECT * FROM marketplace_customers",
        "SELECT * FROM memberships")) {
      assertDenied(api, attack);
    }
  }

  @Test
  void apiCredentialsCannotRunDdlOrTruncate() {
    for (String attack : List.of(
        "CREATE TABLE stolen (x text)",
        "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "DROP TABLE usage_records",
        "ALTER TABLE organizations ADD COLUMN backdoor text",
        "ALTER TABLE usage_records DISABLE TRIGGER usage_records_no_update_or_delete",
        "TRUNCATE usage_records",
        "CREATE INDEX ON organizations (name)",
        "SELECT refresh_metering_statistics()")) {
      assertDenied(api, attack);
    }
  }

  @Test
  void workerCredentialsCannotDropAlterOrTruncateTablesNorTouchTheMigrationHistory() {
    for (String attack : List.of(
        "DROP TABLE organizations",
        "ALTER TABLE marketplace_links DROP CONSTRAINT marketplace_links_organization_unique",
        "ALTER TABLE usage_records DISABLE TRIGGER usage_records_no_update_or_delete",
        "TRUNCATE audit_log",
        "CREATE TABLE stolen (x text)",
        "DELETE FROM flyway_schema_history",
        "SELECT * FROM flyway_schema_history")) {
      assertDenied(worker, attack);
    }
  }

  @Test
  void workerRefreshesMeteringStatisticsThroughTheOwnersFunctionOnly() {
    worker.jdbi().useHandle(
        h -> h.createQuery("SELECT refresh_metering_statistics()").mapToMap().one());
  }

  @Test
  void whatTheApiRunsWorksUnderTheApiRole() {
    // Every repository call of api/src/main (console, support view, usage intake, metering admin).
    Jdbi a = api.jdbi();
    User found = new UserRepository(a).findByIdentity(ISSUER, "subject-1").orElseThrow();
    assertThat(found.id()).isEqualTo(user);
    assertThat(new MembershipRepository(a).roleOf(organization, user)).contains(Role.OWNER);
    assertThat(new MembershipRepository(a).organizationsOf(user)).hasSize(1);
    assertThat(new OrganizationRepository(a).findById(organization)).isPresent();
    OrganizationDetails details = new OrganizationRepository(a).findDetails(organization)
        .orElseThrow();
    assertThat(details.link().customerIdentifier()).isEqualTo("cust-roles");
    assertThat(new MarketplaceLinkRepository(a).findByOrganization(organization)).isPresent();
    assertThat(new LicenseRepository(a).forOrganization(organization)).hasSize(1);
    assertThat(new LicenseRepository(a).forCustomer(PRODUCT, ACCOUNT)).hasSize(1);
    assertThat(new EntitlementRepository(a).forOrganization(organization)).isEmpty();
    assertThat(new EntitlementRepository(a).forCustomer(PRODUCT, ACCOUNT)).isEmpty();
    CustomerKey customer = new CustomerKey(PRODUCT, ACCOUNT);
    assertThat(new LicenseWindows(a).ofCustomers(Set.of(customer)).get(customer)).hasSize(1);

    UsageRecordRepository usage = new UsageRecordRepository(a);
    assertThat(usage.billingOf(Set.of(organization)).get(organization).customer())
        .isEqualTo(customer);
    NewUsage report = new NewUsage(organization, customer, "requests", 3,
        Instant.now().minus(1, ChronoUnit.HOURS), "key-1");
    assertThat(usage.append(List.of(report)).items().get(0).status())
        .isEqualTo(UsageIntake.Status.CREATED);
    // A replay reads the stored row back: the duplicate path.
    assertThat(usage.append(List.of(report)).items().get(0).status())
        .isEqualTo(UsageIntake.Status.DUPLICATE);
    assertThat(usage.unmeteredFor(organization)).hasSize(1);

    Instant since = Instant.now().minus(2, ChronoUnit.DAYS);
    assertThat(new MeteringRecordRepository(a).ofOrganization(organization, since)).isEmpty();
    assertThat(new MeteringRecordRepository(a).mismatchesOfOrganization(organization, since))
        .isEmpty();
    assertThat(new MeteringRunRepository(a).since(since)).isEmpty();
  }

  private static void assertDenied(Database as, String sql) {
    assertThatThrownBy(() -> as.jdbi().useHandle(h -> h.execute(sql)))
        .as(sql)
        // PostgreSQL says "must be owner" for DDL on an existing table.
        .hasMessageMatching("(?s).*(permission denied|must be owner).*");
  }
}
