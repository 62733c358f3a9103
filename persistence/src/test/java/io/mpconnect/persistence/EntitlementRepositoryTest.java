package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.EntitlementRepository.Entitlement;
import io.mpconnect.persistence.EntitlementRepository.Line;
import io.mpconnect.persistence.LicenseRepository.Entry;
import io.mpconnect.persistence.LicenseRepository.LicenseSet;
import io.mpconnect.persistence.MarketplaceLicense.Status;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EntitlementRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final String PRODUCT = "prod-entitlements";
  private static final String ARN_1 = "arn:aws:license-manager::1:license:l-1";
  private static final String ARN_2 = "arn:aws:license-manager::1:license:l-2";
  private static final Instant READ = Instant.parse("2026-06-03T10:15:30Z");
  private static final Instant EXPIRES = Instant.parse("2027-06-03T00:00:00Z");

  private final Jdbi jdbi = postgres.jdbi();
  private final EntitlementRepository entitlements = new EntitlementRepository(jdbi);

  @Test
  void aReadIsStoredPerLicenseAndDimension_andTheNextReadReplacesOnlyThatLicense() {
    String account = "600000000001";
    entitlements.replace(PRODUCT, account, ARN_1,
        List.of(new Line("users", "INTEGER", "10", EXPIRES), new Line("tier", "STRING", "gold", null)),
        READ);
    entitlements.replace(PRODUCT, account, ARN_2,
        List.of(new Line("users", "INTEGER", "5", EXPIRES)), READ);

    List<Entitlement> stored = entitlements.forCustomer(PRODUCT, account);
    assertThat(stored).extracting(Entitlement::licenseKey, Entitlement::dimension, Entitlement::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ARN_1, "tier", "gold"),
            org.assertj.core.groups.Tuple.tuple(ARN_1, "users", "10"),
            org.assertj.core.groups.Tuple.tuple(ARN_2, "users", "5"));
    assertThat(stored.get(1)).satisfies(e -> {
      assertThat(e.licenseArn()).isEqualTo(ARN_1);
      assertThat(e.valueType()).isEqualTo("INTEGER");
      assertThat(e.expiresAt()).isEqualTo(EXPIRES);
      assertThat(e.readAt()).isEqualTo(READ);
      assertThat(e.expiredAt(EXPIRES)).isTrue();
      assertThat(e.expiredAt(READ)).isFalse();
    });
    assertThat(stored.get(0).expiresAt()).isNull();

    // An upgrade: AWS now says 20 users, and the tier is gone.
    entitlements.replace(PRODUCT, account, ARN_1,
        List.of(new Line("users", "INTEGER", "20", EXPIRES)), READ.plusSeconds(60));

    assertThat(entitlements.forCustomer(PRODUCT, account))
        .extracting(Entitlement::licenseKey, Entitlement::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ARN_1, "20"),
            org.assertj.core.groups.Tuple.tuple(ARN_2, "5"));
  }

  @Test
  void aReadOfTheWholeAccount_isKeyedAccount_andAnEmptyReadClearsIt() {
    String account = "600000000002";
    entitlements.replace(PRODUCT, account, null,
        List.of(new Line("storage", "DOUBLE", "2.5", null), new Line("storage", "DOUBLE", "3.5", null)),
        READ);

    assertThat(entitlements.forCustomer(PRODUCT, account)).singleElement().satisfies(e -> {
      assertThat(e.licenseKey()).isEqualTo(EntitlementRepository.ACCOUNT_KEY);
      assertThat(e.licenseArn()).isNull();
      assertThat(e.value()).as("the last of one dimension").isEqualTo("3.5");
    });

    entitlements.replace(PRODUCT, account, null, List.of(), READ.plusSeconds(1));
    assertThat(entitlements.forCustomer(PRODUCT, account)).isEmpty();
  }

  @Test
  void anOrganizationSeesTheEntitlementsOfItsLicenses_andNoOneElses() {
    UUID org = UUID.randomUUID();
    new OrganizationRepository(jdbi).insertIfAbsent(org, "Contract Co", Plan.STARTER);
    String account = "600000000003";
    new LicenseRepository(jdbi).save(new LicenseSet(PRODUCT, account, org,
        List.of(new Entry("agmt-1", ARN_1, "agmt-1", Status.USABLE, READ, null, null, null, null,
            "NEW", null)), 1));
    entitlements.replace(PRODUCT, account, ARN_1,
        List.of(new Line("users", "INTEGER", "10", EXPIRES)), READ);
    entitlements.replace(PRODUCT, "600000000004", ARN_2,
        List.of(new Line("users", "INTEGER", "99", EXPIRES)), READ);

    assertThat(entitlements.forOrganization(org)).singleElement()
        .satisfies(e -> assertThat(e.value()).isEqualTo("10"));
    assertThat(entitlements.forOrganization(UUID.randomUUID())).isEmpty();
  }
}
