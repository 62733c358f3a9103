package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.persistence.LicenseRepository.Entry;
import io.mpconnect.persistence.LicenseRepository.LicenseSet;
import io.mpconnect.persistence.MarketplaceLicense.Status;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LicenseRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final String PRODUCT = "prod-licenses";
  private static final Instant MAY = Instant.parse("2026-06-03T10:15:30Z");
  private static final Instant JUNE = Instant.parse("2026-07-01T00:00:00Z");

  private final Jdbi jdbi = postgres.jdbi();
  private final LicenseRepository licenses = new LicenseRepository(jdbi);

  @Test
  void twoLicensesOfOneAccount_areTwoRows_readByCustomerAndByOrganization() {
    UUID org = organization("Two Licenses");
    Entry first = usable("agmt-1", "arn:aws:license-manager::1:license/l-1", MAY);
    Entry second = pending("agmt-2", "arn:aws:license-manager::1:license/l-2");

    assertThat(licenses.save(set("500000000001", org, 1, first, second))).isTrue();

    List<MarketplaceLicense> stored = licenses.forCustomer(PRODUCT, "500000000001");
    assertThat(stored).extracting(MarketplaceLicense::key)
        .as("pending (no start yet) first, then newest first").containsExactly("agmt-2", "agmt-1");
    assertThat(stored.get(1)).satisfies(l -> {
      assertThat(l.productCode()).isEqualTo(PRODUCT);
      assertThat(l.awsAccountId()).isEqualTo("500000000001");
      assertThat(l.licenseArn()).isEqualTo("arn:aws:license-manager::1:license/l-1");
      assertThat(l.agreementId()).isEqualTo("agmt-1");
      assertThat(l.status()).isEqualTo(Status.USABLE);
      assertThat(l.usableFrom()).isEqualTo(MAY);
      assertThat(l.endedAt()).isNull();
      assertThat(l.revokedAt()).isNull();
      assertThat(l.freeTrial()).isTrue();
      assertThat(l.offerId()).isEqualTo("offer-agmt-1");
      assertThat(l.intent()).isEqualTo("NEW");
      assertThat(l.endReason()).isNull();
      assertThat(l.organizationId()).isEqualTo(org);
      assertThat(l.sequence()).isEqualTo(1);
      assertThat(l.updatedAt()).isNotNull();
    });
    assertThat(stored.get(0).freeTrial()).as("unknown stays unknown").isNull();
    assertThat(licenses.forOrganization(org)).containsExactlyElementsOf(stored);
    assertThat(licenses.forOrganization(UUID.randomUUID())).isEmpty();
    assertThat(licenses.forCustomer(PRODUCT, "500000000999")).isEmpty();
    assertThat(licenses.forCustomer("another-product", "500000000001")).isEmpty();
  }

  @Test
  void aStaleSequence_doesNotOverwrite() {
    UUID org = organization("Stale");
    Entry ended = new Entry("agmt-s", "arn:s", "agmt-s", Status.ENDED, MAY, JUNE, JUNE, false,
        null, "NEW", "CANCELLED");
    licenses.save(set("500000000002", org, 5, ended));

    boolean written = licenses.save(set("500000000002", org, 4,
        usable("agmt-s", "arn:s", MAY), usable("agmt-late", "arn:late", MAY)));

    assertThat(written).isFalse();
    assertThat(licenses.forCustomer(PRODUCT, "500000000002")).singleElement().satisfies(l -> {
      assertThat(l.status()).isEqualTo(Status.ENDED);
      assertThat(l.revokedAt()).isEqualTo(JUNE);
      assertThat(l.endReason()).isEqualTo("CANCELLED");
      assertThat(l.sequence()).isEqualTo(5);
    });
  }

  @Test
  void aNewerSequence_updatesTheLicense_andRemovesWhatTheSetNoLongerHolds() {
    UUID org = organization("Merged");
    // Registered first: only the LicenseArn is known.
    licenses.save(set("500000000003", org, 1, pending("arn:arn-m", "arn-m")));

    // License Updated named the agreement: the workflow keys the license by it now.
    assertThat(licenses.save(set("500000000003", org, 2, usable("agmt-m", "arn-m", MAY)))).isTrue();

    assertThat(licenses.forCustomer(PRODUCT, "500000000003")).singleElement().satisfies(l -> {
      assertThat(l.key()).isEqualTo("agmt-m");
      assertThat(l.status()).isEqualTo(Status.USABLE);
      assertThat(l.sequence()).isEqualTo(2);
    });
    assertThat(TestSql.count(jdbi,
        "SELECT count(*) FROM marketplace_licenses WHERE license_arn = 'arn-m'"))
        .as("one row per license for metering").isEqualTo(1);

    // A stale write cannot bring the removed row back either.
    assertThat(licenses.save(set("500000000003", org, 1, pending("arn:arn-m", "arn-m")))).isFalse();
    assertThat(licenses.forCustomer(PRODUCT, "500000000003")).extracting(MarketplaceLicense::key)
        .containsExactly("agmt-m");
  }

  @Test
  void anIdempotentRetry_writesTheSameRowsAgain() {
    UUID org = organization("Retry");
    LicenseSet write = set("500000000004", org, 3,
        usable("agmt-r1", "arn-r1", MAY), pending("agmt-r2", "arn-r2"));

    assertThat(licenses.save(write)).isTrue();
    List<MarketplaceLicense> first = licenses.forCustomer(PRODUCT, "500000000004");
    assertThat(licenses.save(write)).as("the same sequence is not older").isTrue();

    assertThat(licenses.forCustomer(PRODUCT, "500000000004"))
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("updatedAt")
        .containsExactlyElementsOf(first);
    assertThat(TestSql.count(jdbi,
        "SELECT count(*) FROM marketplace_licenses WHERE aws_account_id = '500000000004'"))
        .isEqualTo(2);
  }

  @Test
  void licensesBeforeAnyLinkOrRegistration_areStoredWithoutAnOrganization_andGetItLater() {
    licenses.save(set("500000000005", null, 1, usable("agmt-early", "arn-early", MAY)));
    assertThat(licenses.forCustomer(PRODUCT, "500000000005")).singleElement()
        .satisfies(l -> assertThat(l.organizationId()).isNull());

    UUID org = organization("Linked Later");
    licenses.save(set("500000000005", org, 2, usable("agmt-early", "arn-early", MAY)));

    assertThat(licenses.forOrganization(org)).extracting(MarketplaceLicense::key)
        .containsExactly("agmt-early");
  }

  @Test
  void concurrentSavesOfOneCustomer_leaveTheNewestSet() throws Exception {
    UUID org = organization("Racing");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> saves = new java.util.ArrayList<>();
      for (int sequence = 1; sequence <= 8; sequence++) {
        int s = sequence;
        saves.add(() -> licenses.save(set("500000000006", org, s,
            new Entry("agmt-" + s, "arn-" + s, "agmt-" + s, Status.USABLE, MAY, null, null, null,
                null, null, null))));
      }
      for (Future<Boolean> f : pool.invokeAll(saves)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(licenses.forCustomer(PRODUCT, "500000000006")).singleElement()
        .satisfies(l -> {
          assertThat(l.key()).isEqualTo("agmt-8");
          assertThat(l.sequence()).isEqualTo(8);
        });
  }

  @Test
  void theSchemaRefusesAnUnknownStatus_andASetRefusesAKeyTwice() {
    assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute(
        "INSERT INTO marketplace_licenses (product_code, aws_account_id, license_key, status,"
            + " sequence) VALUES ('p', 'a', 'k', 'ACTIVE', 1)")))
        .hasMessageContaining("marketplace_licenses_status_check");
    assertThatThrownBy(() -> set("500000000007", null, 1, pending("k", "arn-1"),
        pending("k", "arn-2")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static LicenseSet set(String account, UUID organization, long sequence, Entry... entries) {
    return new LicenseSet(PRODUCT, account, organization, List.of(entries), sequence);
  }

  private static Entry usable(String key, String arn, Instant from) {
    return new Entry(key, arn, key.startsWith("arn:") ? null : key, Status.USABLE, from, null,
        null, true, "offer-" + key, "NEW", null);
  }

  private static Entry pending(String key, String arn) {
    return new Entry(key, arn, key.startsWith("arn:") ? null : key, Status.PENDING, null, null,
        null, null, null, null, null);
  }

  private UUID organization(String name) {
    UUID id = UUID.randomUUID();
    new OrganizationRepository(jdbi).insertIfAbsent(id, name, Plan.STARTER);
    return id;
  }
}
