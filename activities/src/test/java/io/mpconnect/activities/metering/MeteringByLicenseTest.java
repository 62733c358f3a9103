package io.mpconnect.activities.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpconnect.activities.metering.MeteringTestBed.Customer;
import io.mpconnect.persistence.metering.MeteringMismatch;
import io.mpconnect.persistence.metering.MeteringRecordView;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.standins.metering.MeteredRecord;
import io.mpconnect.standins.metering.MeteringCall;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.metering.SendProgress;
import io.mpconnect.workflows.metering.SendScope;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11, record identity, isolation and reconciliation: the real AWS SDK client over HTTP
 * against the metering stand-in, records in the real PostgreSQL. Every record goes out by
 * CustomerAWSAccountId and its license's LicenseArn; a record AWS refuses is isolated and the rest
 * of the hour billed; CustomerNotSubscribed on a usable license alerts and is recorded.
 */
class MeteringByLicenseTest {
  @RegisterExtension static final MeteringTestBed bed = new MeteringTestBed();


  private List<MeteringCall> batchCalls() {
    return bed.standIn.calls("BatchMeterUsage");
  }

  private List<MeteringRecordView> recordsOf(List<Customer> customers) {
    List<MeteringRecordView> all = new ArrayList<>();
    customers.forEach(c -> all.addAll(bed.records().ofCustomer(c.key())));
    return all;
  }

  @Test
  void theWireNamesEachRecordByAccountAndLicenseNeverByCustomerIdentifier() {
    Instant hour = MeteringTestBed.lastHour();
    Customer licensed = bed.licensedCustomer(hour);
    // A legacy customer AWS gave a CustomerIdentifier: by account too, without a LicenseArn.
    Customer legacy = bed.customer(true, hour);
    bed.usage(licensed, "api_calls", 3, hour.plusSeconds(60), "l");
    bed.usage(legacy, "api_calls", 4, hour.plusSeconds(60), "g");
    bed.ledger(List.of("api_calls")).prepareHour(hour);

    SendProgress progress = bed.sendInBatches(SendScope.ofHour(hour));

    assertThat(progress.succeeded()).isEqualTo(2);
    assertThat(batchCalls()).hasSize(1);
    JsonNode request = batchCalls().get(0).request();
    assertThat(request.path("ProductCode").asText()).isEqualTo(MeteringTestBed.PRODUCT);
    Map<String, JsonNode> byAccount = new java.util.HashMap<>();
    request.path("UsageRecords").forEach(r -> byAccount.put(r.path("CustomerAWSAccountId")
        .asText(), r));
    JsonNode l = byAccount.get(licensed.account());
    assertThat(l.path("LicenseArn").asText()).isEqualTo(licensed.licenseArn());
    assertThat(l.path("Dimension").asText()).isEqualTo("api_calls");
    assertThat(l.path("Quantity").asInt()).isEqualTo(3);
    assertThat(l.path("Timestamp").decimalValue().longValue()).isEqualTo(hour.getEpochSecond());
    JsonNode g = byAccount.get(legacy.account());
    assertThat(g.has("LicenseArn")).isFalse();
    assertThat(request.path("UsageRecords")).allSatisfy(r -> {
      assertThat(r.has("CustomerIdentifier")).isFalse();
      assertThat(r.fieldNames()).toIterable()
          .containsExactlyInAnyOrderElementsOf(r == l
              ? List.of("Timestamp", "CustomerAWSAccountId", "Dimension", "Quantity", "LicenseArn")
              : List.of("Timestamp", "CustomerAWSAccountId", "Dimension", "Quantity"));
    });
    // AWS keys its ledger by account + license + dimension + hour.
    assertThat(bed.standIn.meteredRecords())
        .extracting(MeteredRecord::customerAwsAccountId, MeteredRecord::licenseArn,
            MeteredRecord::customerIdentifier, MeteredRecord::quantity)
        .containsExactlyInAnyOrder(tuple(licensed.account(), licensed.licenseArn(), null, 3),
            tuple(legacy.account(), null, null, 4));
    assertThat(bed.records().ofCustomer(licensed.key()))
        .extracting(MeteringRecordView::licenseArn, MeteringRecordView::status)
        .containsExactly(tuple(licensed.licenseArn(), RecordStatus.SUCCESS));
  }

  @Test
  void aPoisonedRecordInA25RecordBatchFailsAloneAndThe24OthersAreBilled() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.licensedCustomers(25, hour);
    for (int i = 0; i < customers.size(); i++) {
      bed.usage(customers.get(i), "api_calls", i + 1, hour.plusSeconds(i), "u-" + i);
    }
    Customer poisoned = customers.get(17);
    bed.standIn.poisonLicense(poisoned.licenseArn());
    bed.ledger(List.of("api_calls")).prepareHour(hour);

    SendProgress progress = bed.sendInBatches(SendScope.ofHour(hour));

    assertThat(progress.succeeded()).isEqualTo(24);
    assertThat(progress.failed()).isEqualTo(1);
    assertThat(progress.pending()).isZero();
    assertThat(batchCalls().get(0).request().path("UsageRecords")).hasSize(25);
    assertThat(batchCalls().get(0).errorType()).isEqualTo("InvalidLicenseException");
    // Halving finds it in a handful of calls, not one call per record.
    assertThat(batchCalls().size()).isLessThanOrEqualTo(11);
    assertThat(bed.records().ofCustomer(poisoned.key()))
        .extracting(MeteringRecordView::status, MeteringRecordView::failure)
        .containsExactly(tuple(RecordStatus.FAILED, "InvalidLicense"));
    assertThat(recordsOf(customers)).filteredOn(r -> r.status() == RecordStatus.SUCCESS)
        .hasSize(24);
    assertThat(bed.standIn.meteredRecords()).hasSize(24)
        .extracting(MeteredRecord::customerAwsAccountId).doesNotContain(poisoned.account());
    assertThat(bed.standIn.meteredRecords().stream().mapToInt(MeteredRecord::quantity).sum())
        .isEqualTo(25 * 26 / 2 - 18);
    assertThat(bed.alerts).containsExactly("InvalidLicense=1");
  }

  @Test
  void invalidLicenseForOneCustomerAmongTenThousandNeverBlocksTheHour() {
    int count = 10_000;
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.licensedCustomers(count, hour);
    Customer bad = customers.get(count / 3);
    bed.standIn.poisonLicense(bad.licenseArn());
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    BatchMeterUsageSender fast = new BatchMeterUsageSender(bed.client, bed.records(),
        new CallPacer(10_000), bed.metrics, Duration.ofMinutes(2), Duration.ofMillis(10));

    long started = System.nanoTime();
    SendProgress progress = bed.sendInBatches(fast, SendScope.ofHour(hour));
    long millis = (System.nanoTime() - started) / 1_000_000;

    assertThat(progress.succeeded()).isEqualTo(count - 1);
    assertThat(progress.failed()).isEqualTo(1);
    assertThat(progress.pending()).isZero();
    // 400 calls of 25, plus the few that isolate the bad record.
    assertThat(progress.calls()).isBetween(count / 25, count / 25 + 10);
    assertThat(bed.standIn.meteredRecords()).hasSize(count - 1);
    assertThat(bed.records().ofCustomer(bad.key())).extracting(MeteringRecordView::failure)
        .containsExactly("InvalidLicense");
    assertThat(bed.count("SELECT count(*) FROM metering_records WHERE usage_hour = ?"
        + " AND status = 'SUCCESS'", java.time.OffsetDateTime.ofInstant(hour,
        java.time.ZoneOffset.UTC))).isEqualTo(count - 1);
    assertThat(bed.alerts).containsExactly("InvalidLicense=1");
    System.out.printf("InvalidLicense among %d customers: %d calls in %d ms%n", count,
        progress.calls(), millis);
  }

  @Test
  void anUnknown4xxTypeFromOneRecordIsIsolatedLikeTheOthers() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.licensedCustomers(10, hour);
    Customer odd = customers.get(4);
    bed.standIn.refuseRecordsOf(odd.account(), "SomethingNewException");
    bed.ledger(List.of("api_calls")).prepareHour(hour);

    SendProgress progress = bed.sendInBatches(SendScope.ofHour(hour));

    assertThat(progress.succeeded()).isEqualTo(9);
    assertThat(bed.records().ofCustomer(odd.key()))
        .extracting(MeteringRecordView::status, MeteringRecordView::failure)
        .containsExactly(tuple(RecordStatus.FAILED, "SomethingNewException"));
    assertThat(bed.alerts).containsExactly("SomethingNewException=1");
  }

  @Test
  void configurationErrorsStopTheRunAndAlertWithoutSplitting() {
    Instant hour = MeteringTestBed.lastHour();
    bed.licensedCustomers(5, hour);
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.standIn.failNext("BatchMeterUsage", "DisabledApiException", 1);

    ApplicationFailure disabled = catchThrowableOfType(ApplicationFailure.class,
        () -> bed.sendInBatches(SendScope.ofHour(hour)));
    bed.standIn.failNext("BatchMeterUsage", "UnrecognizedClientException", 1);
    ApplicationFailure credentials = catchThrowableOfType(ApplicationFailure.class,
        () -> bed.sendInBatches(SendScope.ofHour(hour)));

    assertThat(disabled.getType()).isEqualTo(FailureTypes.AWS_API_DISABLED);
    assertThat(disabled.isNonRetryable()).isTrue();
    assertThat(credentials.getType()).isEqualTo(FailureTypes.AWS_BAD_REQUEST);
    assertThat(credentials.isNonRetryable()).isTrue();
    assertThat(batchCalls()).hasSize(2);
    assertThat(bed.records().countPendingOfHour(hour)).isEqualTo(5);
    assertThat(bed.alerts).containsExactly("DisabledApi=5", "UnrecognizedClient=5");
  }

  @Test
  void customerNotSubscribedOnAUsableLicenseAlertsAndIsRecordedAsAMismatch() {
    Instant hour = MeteringTestBed.lastHour();
    List<Customer> customers = bed.licensedCustomers(3, hour);
    Customer disowned = customers.get(1);
    // A customer whose license the product holds revoked: its record is never sent (nor alerted
    // as a mismatch).
    Customer ended = bed.licensedCustomer(hour);
    bed.usage(disowned, "api_calls", 9, hour.plusSeconds(60), "d");
    bed.ledger(List.of("api_calls")).prepareHour(hour);
    bed.jdbi().useHandle(h -> h.execute("UPDATE marketplace_licenses SET status = 'ENDED',"
        + " revoked_at = ? WHERE aws_account_id = ?",
        java.time.OffsetDateTime.ofInstant(hour.minusSeconds(60), java.time.ZoneOffset.UTC),
        ended.account()));
    bed.standIn.unsubscribeLicense(disowned.licenseArn());
    bed.standIn.unsubscribeLicense(ended.licenseArn());

    SendProgress progress = bed.sendInBatches(SendScope.ofHour(hour));

    assertThat(progress.succeeded()).isEqualTo(2);
    assertThat(progress.notSubscribed()).isEqualTo(1);
    assertThat(bed.records().ofCustomer(disowned.key()))
        .extracting(MeteringRecordView::status, MeteringRecordView::quantity,
            MeteringRecordView::mismatch)
        .containsExactly(tuple(RecordStatus.CUSTOMER_NOT_SUBSCRIBED, 9L, "LicenseUsable"));
    assertThat(bed.records().ofCustomer(ended.key())).extracting(MeteringRecordView::status,
            MeteringRecordView::failure, MeteringRecordView::mismatch)
        .containsExactly(tuple(RecordStatus.FAILED, "LicenseRevoked", null));
    assertThat(batchCalls()).allSatisfy(call ->
        assertThat(call.request().toString()).doesNotContain(ended.licenseArn()));
    List<MeteringMismatch> mismatches =
        bed.records().mismatchesOfOrganization(disowned.organizationId(), hour);
    assertThat(mismatches).extracting(MeteringMismatch::licenseArn, MeteringMismatch::awsAnswer,
            MeteringMismatch::licenseStatus, MeteringMismatch::quantity)
        .containsExactly(tuple(disowned.licenseArn(), "CustomerNotSubscribed", "USABLE", 9L));
    assertThat(bed.alerts)
        .containsExactly("LicenseRevoked=1", BatchMeterUsageSender.MISMATCH_ALERT + "=1");
  }

  @Test
  void severalUsableLicensesBillOneByTheRuleAndTheRecordSaysWhich() {
    Instant hour = MeteringTestBed.lastHour();
    Customer customer = bed.licensedCustomer(hour);
    String later = io.mpconnect.standins.metering.MeteringStandIn.licenseArn("later-" + hour);
    bed.jdbi().useHandle(h -> h.execute("INSERT INTO marketplace_licenses (product_code,"
            + " aws_account_id, license_key, license_arn, status, usable_from, organization_id,"
            + " sequence) VALUES (?, ?, 'agr-0-later', ?, 'USABLE', ?, ?, 1)",
        MeteringTestBed.PRODUCT, customer.account(), later,
        java.time.OffsetDateTime.ofInstant(hour.minusSeconds(60), java.time.ZoneOffset.UTC),
        customer.organizationId()));
    bed.usage(customer, "api_calls", 5, hour.plusSeconds(60), "k");
    bed.ledger(MeteringTestBed.DIMENSIONS).prepareHour(hour);

    bed.sendInBatches(SendScope.ofHour(hour));

    // The license usable the longest (since the day before) takes the hour, every dimension.
    assertThat(bed.standIn.meteredRecords())
        .extracting(MeteredRecord::dimension, MeteredRecord::licenseArn, MeteredRecord::quantity)
        .containsExactlyInAnyOrder(tuple("api_calls", customer.licenseArn(), 5),
            tuple("storage_gb", customer.licenseArn(), 0));
    assertThat(bed.records().ofCustomer(customer.key()))
        .extracting(MeteringRecordView::licenseKey).containsOnly("agr-" + customer.account());
    assertThat(bed.standIn.meteredRecords().stream().map(MeteredRecord::licenseArn)
        .collect(Collectors.toSet())).doesNotContain(later);
  }
}
