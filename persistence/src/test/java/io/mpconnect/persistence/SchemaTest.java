package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.mpconnect.config.DatabaseSettings;
import java.sql.SQLException;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @Test
  void migrations_applyToEmptyDatabase_andAgainAreNoOp() {
    DatabaseSettings empty = postgres.newDatabase("empty");
    try (HikariDataSource dataSource = new HikariDataSource()) {
      dataSource.setJdbcUrl(empty.jdbcUrl());
      dataSource.setUsername(empty.user());
      dataSource.setPassword(empty.password());

      assertThat(Database.migrate(dataSource)).isPositive();
      assertThat(Database.migrate(dataSource)).isZero();
      assertThat(
              TestSql.strings(
                  Jdbi.create(dataSource),
                  "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
          .contains(
              "users",
              "user_identities",
              "organizations",
              "memberships",
              "marketplace_customers",
              "marketplace_links",
              "notification_outbox",
              "audit_log");
    }
  }

  @Test
  void connectingAgain_onMigratedDatabase_keepsData() {
    DatabaseSettings settings = postgres.newDatabase("reconnect");
    UUID id = UUID.randomUUID();
    try (Database first = Database.connect(settings, 2)) {
      new OrganizationRepository(first.jdbi()).insertIfAbsent(id, "Kept", Plan.STARTER);
    }
    try (Database second = Database.connect(settings, 2)) {
      assertThat(new OrganizationRepository(second.jdbi()).findById(id)).isPresent();
    }
  }

  @Test
  void linkedOrganization_rejectsSecondCustomer_atDatabaseLevel() {
    UUID organization = organization("One link only");
    insertLink("prod-a", "111111111111", organization);

    assertUniqueViolation(() -> insertLink("prod-a", "222222222222", organization));
  }

  @Test
  void linkedCustomer_rejectsSecondOrganization_atDatabaseLevel() {
    insertLink("prod-a", "333333333333", organization("First"));

    assertUniqueViolation(() -> insertLink("prod-a", "333333333333", organization("Second")));
  }

  @Test
  void organizationPlan_rejectsUnknownPlan() {
    assertThatThrownBy(
            () ->
                postgres
                    .jdbi()
                    .useHandle(
                        h ->
                            h.execute(
                                "INSERT INTO organizations (name, plan) VALUES ('x', 'GOLD')")))
        .hasMessageContaining("organizations_plan_check");
  }

  private UUID organization(String name) {
    UUID id = UUID.randomUUID();
    new OrganizationRepository(postgres.jdbi()).insertIfAbsent(id, name, Plan.STARTER);
    return id;
  }

  private void insertLink(String productCode, String awsAccountId, UUID organizationId) {
    new MarketplaceCustomerRepository(postgres.jdbi()).register(productCode, awsAccountId, null);
    postgres
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        """
                        INSERT INTO marketplace_links (product_code, aws_account_id, organization_id)
                        VALUES (:p, :a, :o)\
                        """)
                    .bind("p", productCode)
                    .bind("a", awsAccountId)
                    .bind("o", organizationId)
                    .execute());
  }

  private static void assertUniqueViolation(Runnable insert) {
    assertThatThrownBy(insert::run)
        .isInstanceOf(UnableToExecuteStatementException.class)
        .cause()
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
  }
}
