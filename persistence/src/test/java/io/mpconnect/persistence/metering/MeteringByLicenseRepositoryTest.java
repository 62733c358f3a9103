package io.mpconnect.persistence.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.mpconnect.persistence.PostgresExtension;
import io.mpconnect.persistence.metering.MeteringFixtures.Linked;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * V7 (metering by license) against the real PostgreSQL: records unique per (product, account,
 * license, dimension, hour), the one-license rule, no record for an hour without a usable license,
 * and CustomerNotSubscribed mismatches. Each test uses its own hours (aggregation is global).
 */
class MeteringByLicenseRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final List<String> ONE_DIMENSION = List.of("api_calls");
  private static final String PRODUCT = MeteringFixtures.PRODUCT;
  private static int dayOffset;

  private MeteringRecordRepository records;
  private UsageRecordRepository usage;
  private MeteringFixtures fixtures;
  private Instant hour;

  @BeforeEach
  void setUp() {
    records = new MeteringRecordRepository(postgres.jdbi());
    usage = new UsageRecordRepository(postgres.jdbi());
    fixtures = new MeteringFixtures(postgres.jdbi());
    hour = Instant.parse("2027-03-01T10:00:00Z").plus(Duration.ofDays(10L * ++dayOffset));
  }

  private Linked active() {
    return fixtures.link(MeteringFixtures.nextAccount(), null, "ACTIVE",
        hour.minus(Duration.ofDays(1)));
  }

  private void insertRecord(Linked c, String licenseArn, String dimension) {
    postgres.jdbi().useHandle(h -> h.execute(
        "INSERT INTO metering_records (product_code, aws_account_id, license_arn, dimension,"
            + " usage_hour, quantity, origin) VALUES (?, ?, ?, ?, ?, 1, 'HOURLY')",
        PRODUCT, c.customer().awsAccountId(), licenseArn, dimension, Timestamps.utc(hour)));
  }

  @Test
  void recordsAreUniquePerAccountLicenseDimensionAndHour() {
    Linked c = active();
    insertRecord(c, "arn:l-1", "api_calls");
    insertRecord(c, "arn:l-2", "api_calls"); // another license: another record
    insertRecord(c, null, "api_calls"); // no license (legacy): another record

    assertThatThrownBy(() -> insertRecord(c, "arn:l-1", "api_calls"))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("metering_records_unique");
    // A missing license counts as '' in the key: two legacy records collide.
    assertThatThrownBy(() -> insertRecord(c, null, "api_calls"))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("metering_records_unique");
    assertThat(fixtures.count("SELECT count(*) FROM metering_records WHERE aws_account_id = ?",
        c.customer().awsAccountId())).isEqualTo(3);
  }

  @Test
  void usageGoesToOneLicenseByTheRuleAndTheRecordKeepsIt() {
    Instant dayBefore = hour.minus(Duration.ofDays(1));
    // Several usable licenses: usable at the hour's start beats later; earliest usable_from
    // first; ties by license key.
    Linked many = active();
    fixtures.license(many, "agr-b", "arn:many-b", "USABLE", dayBefore, null);
    fixtures.license(many, "agr-a", "arn:many-a", "USABLE", dayBefore, null);
    fixtures.license(many, "agr-0", "arn:many-0", "USABLE", hour.plusSeconds(600), null);
    fixtures.license(many, "agr-old", "arn:many-old", "ENDED", dayBefore.minus(Duration.ofDays(9)),
        hour.minus(Duration.ofMinutes(1)));
    // Earliest usable_from wins over the key.
    Linked earliest = active();
    fixtures.license(earliest, "agr-a", "arn:earliest-a", "USABLE", dayBefore, null);
    fixtures.license(earliest, "agr-z", "arn:earliest-z", "ENDING",
        dayBefore.minus(Duration.ofDays(3)), null);
    // Only a license that became usable during the hour: it is the one.
    Linked midHour = active();
    fixtures.license(midHour, "agr-m", "arn:mid", "USABLE", hour.plusSeconds(1800), null);
    // A legacy license row: no LicenseArn.
    Linked legacy = active();
    fixtures.license(legacy, "legacy", null, "USABLE", dayBefore, null);
    usage.append(List.of(
        many.usage("api_calls", 5, hour.plusSeconds(60), "m"),
        earliest.usage("api_calls", 6, hour.plusSeconds(60), "e"),
        midHour.usage("api_calls", 7, hour.plusSeconds(2000), "h"),
        legacy.usage("api_calls", 8, hour.plusSeconds(60), "l")));

    records.aggregate(hour, Origin.HOURLY, PRODUCT, List.of("api_calls", "storage_gb"), null);

    assertThat(records.ofCustomer(many.customer()))
        .extracting(MeteringRecordView::dimension, MeteringRecordView::quantity,
            MeteringRecordView::licenseArn, MeteringRecordView::licenseKey)
        .containsExactly(tuple("api_calls", 5L, "arn:many-a", "agr-a"),
            tuple("storage_gb", 0L, "arn:many-a", "agr-a"));
    assertThat(records.ofCustomer(earliest.customer())).extracting(MeteringRecordView::licenseArn)
        .containsOnly("arn:earliest-z");
    assertThat(records.ofCustomer(midHour.customer())).extracting(MeteringRecordView::licenseArn)
        .containsOnly("arn:mid");
    assertThat(records.ofCustomer(legacy.customer()))
        .extracting(MeteringRecordView::licenseArn, MeteringRecordView::licenseKey)
        .containsOnly(tuple(null, "legacy"));
    assertThat(records.pendingOfHour(hour, MeteringRecordRepository.Cursor.START, 25))
        .filteredOn(p -> p.awsAccountId().equals(many.customer().awsAccountId()))
        .extracting(PendingRecord::licenseArn).containsOnly("arn:many-a");
  }

  @Test
  void aCustomerWithoutALicenseUsableDuringTheHourGetsNoRecordAndItsUsageWaits() {
    Linked revoked = active();
    fixtures.license(revoked, "agr-r", "arn:revoked", "ENDED", hour.minus(Duration.ofDays(5)),
        hour.minus(Duration.ofMinutes(5)));
    Linked notYet = active();
    fixtures.license(notYet, "agr-n", "arn:not-yet", "USABLE", hour.plus(Duration.ofHours(1)),
        null);
    Linked pending = active();
    fixtures.license(pending, "agr-p", "arn:pending", "PENDING", null, null);
    // No license row at all: metered the legacy way under the link's rules.
    Linked unlicensed = active();
    usage.append(List.of(
        revoked.usage("api_calls", 1, hour.plusSeconds(60), "r"),
        notYet.usage("api_calls", 1, hour.plusSeconds(60), "n"),
        unlicensed.usage("api_calls", 3, hour.plusSeconds(60), "u")));

    records.aggregate(hour, Origin.HOURLY, PRODUCT, ONE_DIMENSION, null);

    assertThat(records.ofCustomer(revoked.customer())).isEmpty();
    assertThat(records.ofCustomer(notYet.customer())).isEmpty();
    assertThat(records.ofCustomer(pending.customer())).isEmpty();
    assertThat(records.ofCustomer(unlicensed.customer()))
        .extracting(MeteringRecordView::quantity, MeteringRecordView::licenseArn)
        .containsExactly(tuple(3L, null));
    // Nothing lost: the refused hours' usage is still queued.
    assertThat(fixtures.count("SELECT count(*) FROM unmetered_usage WHERE aws_account_id IN (?, ?)",
        revoked.customer().awsAccountId(), notYet.customer().awsAccountId())).isEqualTo(2);
    // Keep that queued usage out of the other tests' (later) hours.
    postgres.jdbi().useHandle(h -> h.execute(
        "UPDATE marketplace_licenses SET status = 'FAILED' WHERE license_key = 'agr-n'"));
  }

  @Test
  void customerNotSubscribedOnAUsableLicenseIsAMismatchStoredOnce() {
    Linked usable = active();
    fixtures.license(usable, "agr-u", "arn:usable", "USABLE", hour.minus(Duration.ofDays(1)),
        null);
    Linked ended = active();
    fixtures.license(ended, "agr-e", "arn:ended", "ENDED", hour.minus(Duration.ofDays(1)),
        hour.plus(Duration.ofMinutes(20)));
    records.aggregate(hour, Origin.HOURLY, PRODUCT, ONE_DIMENSION, null);
    // The license of `ended` was revoked after the hour began: usable during it, still a mismatch.
    // Now revoke it before the hour: AWS's answer is expected, no mismatch.
    postgres.jdbi().useHandle(h -> h.execute(
        "UPDATE marketplace_licenses SET revoked_at = ? WHERE license_key = 'agr-e'",
        Timestamps.utc(hour.minus(Duration.ofMinutes(1)))));
    List<Long> ids = new java.util.ArrayList<>();
    records.ofCustomer(usable.customer()).forEach(r -> ids.add(r.id()));
    records.ofCustomer(ended.customer()).forEach(r -> ids.add(r.id()));
    records.recordOutcomes(ids.stream()
        .map(id -> new RecordOutcome(id, RecordStatus.CUSTOMER_NOT_SUBSCRIBED, null, null))
        .toList(), List.of());

    List<MeteringMismatch> found = records.recordMismatches(ids);
    List<MeteringMismatch> again = records.recordMismatches(ids);

    assertThat(found).extracting(MeteringMismatch::awsAccountId, MeteringMismatch::licenseArn,
            MeteringMismatch::licenseStatus, MeteringMismatch::reason,
            MeteringMismatch::organizationId)
        .containsExactly(tuple(usable.customer().awsAccountId(), "arn:usable", "USABLE",
            "LicenseUsable", usable.organizationId()));
    assertThat(again).isEmpty();
    assertThat(records.ofCustomer(usable.customer())).extracting(MeteringRecordView::status,
            MeteringRecordView::mismatch)
        .containsExactly(tuple(RecordStatus.CUSTOMER_NOT_SUBSCRIBED, "LicenseUsable"));
    assertThat(records.mismatchesOfOrganization(usable.organizationId(), hour)).hasSize(1);
    assertThat(records.mismatchesOfOrganization(ended.organizationId(), hour)).isEmpty();
  }
}
