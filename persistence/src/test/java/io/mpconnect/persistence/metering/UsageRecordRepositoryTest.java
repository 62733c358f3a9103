package io.mpconnect.persistence.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.persistence.PostgresExtension;
import io.mpconnect.persistence.metering.MeteringFixtures.Linked;
import io.mpconnect.persistence.metering.UsageIntake.Status;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UsageRecordRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final Instant AT = Instant.parse("2026-11-26T04:12:33.123456789Z");
  private UsageRecordRepository usage;
  private MeteringFixtures fixtures;
  private Linked org;

  @BeforeEach
  void setUp() {
    usage = new UsageRecordRepository(postgres.jdbi());
    fixtures = new MeteringFixtures(postgres.jdbi());
    org = fixtures.link(MeteringFixtures.nextAccount(), null, "ACTIVE", AT.minusSeconds(86_400));
  }

  @Test
  void aNewKeyIsStoredAndQueuedForMetering() {
    UsageIntake intake = usage.append(List.of(org.usage("api_calls", 7, AT, "k-1")));

    assertThat(intake.items()).extracting(UsageIntake.Item::status).containsExactly(Status.CREATED);
    long id = intake.items().get(0).usageRecordId();
    assertThat(fixtures.count("SELECT count(*) FROM unmetered_usage WHERE usage_record_id = ?", id))
        .isEqualTo(1);
    assertThat(fixtures.count(
            "SELECT count(*) FROM usage_records WHERE id = ?"
                + " AND usage_hour = '2026-11-26T04:00:00Z'", id))
        .isEqualTo(1);
  }

  @Test
  void replayingAKeyChangesNothingAndSaysDuplicate() {
    long first = usage.append(List.of(org.usage("api_calls", 7, AT, "k-2"))).items().get(0)
        .usageRecordId();

    UsageIntake replay = usage.append(List.of(org.usage("api_calls", 7, AT, "k-2")));

    assertThat(replay.items()).containsExactly(new UsageIntake.Item(Status.DUPLICATE, first));
    assertThat(usage.reportedQuantity(org.organizationId(), "api_calls",
        Instant.parse("2026-11-26T04:00:00Z"))).isEqualTo(7);
    assertThat(fixtures.count("SELECT count(*) FROM unmetered_usage WHERE organization_id = ?",
        org.organizationId())).isEqualTo(1);
  }

  @Test
  void aKeyReusedForOtherUsageIsAConflictAndTheWholeBatchIsRolledBack() {
    usage.append(List.of(org.usage("api_calls", 7, AT, "k-3")));

    UsageIntake intake = usage.append(List.of(
        org.usage("api_calls", 1, AT, "k-4"),
        org.usage("api_calls", 8, AT, "k-3")));

    assertThat(intake.items()).extracting(UsageIntake.Item::status)
        .containsExactly(Status.CREATED, Status.CONFLICT);
    assertThat(intake.items().get(0).usageRecordId()).isNull();
    assertThat(fixtures.count("SELECT count(*) FROM usage_records WHERE organization_id = ?",
        org.organizationId())).isEqualTo(1);
  }

  @Test
  void aKeyRepeatedInOneBatchIsStoredOnce() {
    UsageIntake intake = usage.append(List.of(
        org.usage("api_calls", 2, AT, "k-5"),
        org.usage("api_calls", 2, AT, "k-5")));

    assertThat(intake.items()).extracting(UsageIntake.Item::status)
        .containsExactly(Status.CREATED, Status.DUPLICATE);
    assertThat(intake.items().get(1).usageRecordId())
        .isEqualTo(intake.items().get(0).usageRecordId());
  }

  @Test
  void usageRecordsCannotBeUpdatedOrDeleted() {
    long id = usage.append(List.of(org.usage("api_calls", 3, AT, "k-6"))).items().get(0)
        .usageRecordId();

    assertThatThrownBy(() -> postgres.jdbi().useHandle(
        h -> h.execute("UPDATE usage_records SET quantity = 4 WHERE id = ?", id)))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> postgres.jdbi().useHandle(
        h -> h.execute("DELETE FROM usage_records WHERE id = ?", id)))
        .hasMessageContaining("append-only");
  }
}
