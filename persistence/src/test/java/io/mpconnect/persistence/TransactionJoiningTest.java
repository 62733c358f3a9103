package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The activities rely on repositories joining the caller's transaction: pin it down. */
class TransactionJoiningTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private final OrganizationRepository organizations = new OrganizationRepository(postgres.jdbi());

  @Test
  void repositoryWrites_insideInTransaction_rollBackWithIt() {
    UUID id = UUID.randomUUID();

    assertThatThrownBy(
            () ->
                postgres
                    .jdbi()
                    .useTransaction(
                        h -> {
                          organizations.createForOnboarding("Rolled Back", "onb-rollback", "test");
                          organizations.insertIfAbsent(id, "Also Rolled Back", Plan.STARTER);
                          throw new IllegalStateException("abort");
                        }))
        .hasMessage("abort");

    assertThat(organizations.findById(id)).isEmpty();
    assertThat(
            TestSql.count(
                postgres.jdbi(),
                "SELECT count(*) FROM organizations WHERE name LIKE '%Rolled Back'"))
        .isZero();
    assertThat(TestSql.count(postgres.jdbi(), "SELECT count(*) FROM audit_log")).isZero();
  }
}
