package io.mpconnect.standins.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.BatchMeterUsageResponse;
import software.amazon.awssdk.services.marketplacemetering.model.DisabledApiException;
import software.amazon.awssdk.services.marketplacemetering.model.ExpiredTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.InternalServiceErrorException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidCustomerIdentifierException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidProductCodeException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidUsageAllocationsException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidUsageDimensionException;
import software.amazon.awssdk.services.marketplacemetering.model.MarketplaceMeteringException;
import software.amazon.awssdk.services.marketplacemetering.model.ResolveCustomerResponse;
import software.amazon.awssdk.services.marketplacemetering.model.Tag;
import software.amazon.awssdk.services.marketplacemetering.model.ThrottlingException;
import software.amazon.awssdk.services.marketplacemetering.model.TimestampOutOfBoundsException;
import software.amazon.awssdk.services.marketplacemetering.model.UsageAllocation;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecord;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecordResult;
import software.amazon.awssdk.services.marketplacemetering.model.UsageRecordResultStatus;

/** The real AWS SDK v2 client against the stand-in, over HTTP. */
class MeteringStandInSdkTest {
  static final String PRODUCT = "prod-abc123";
  static final String ACCOUNT = "111122223333";
  static final String CUSTOMER = "cust-" + ACCOUNT;
  static final String LICENSE_ARN = "arn:aws:license-manager::\\d{12}:license:l-[0-9a-f]{32}";

  static MeteringStandIn standIn;
  static MarketplaceMeteringClient client;

  @BeforeAll
  static void start() {
    standIn = new MeteringStandIn(PRODUCT).start(0);
    client =
        MarketplaceMeteringClient.builder()
            .endpointOverride(standIn.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            // One attempt per call, so the stand-in's call log is exactly what the code did.
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
  }

  @AfterEach
  void reset() {
    standIn.reset();
  }

  @AfterAll
  static void stop() {
    client.close();
    standIn.close();
  }

  // ---- ResolveCustomer

  @Test
  void givenDemoToken_whenResolved_itAnswersTheCurrentModel_accountProductAndLicenseArn() {
    String token = MeteringStandIn.newDemoToken(ACCOUNT);

    ResolveCustomerResponse response = client.resolveCustomer(r -> r.registrationToken(token));

    assertThat(response.customerAWSAccountId()).isEqualTo(ACCOUNT);
    assertThat(response.productCode()).isEqualTo(PRODUCT);
    assertThat(response.customerIdentifier()).isNull();
    // The SDK module served here (2.41.4) does not model LicenseArn: it is on the wire.
    JsonNode wire = lastResponse();
    assertThat(wire.path("LicenseArn").asText())
        .matches(LICENSE_ARN)
        .isEqualTo(MeteringStandIn.demoLicenseArn(token));
    assertThat(wire.has("CustomerIdentifier")).isFalse();
  }

  @Test
  void givenLegacyToken_whenResolved_itAnswersTheLegacyModel_identifierAndNoLicenseArn() {
    String token = MeteringStandIn.newLegacyToken(ACCOUNT);

    ResolveCustomerResponse response = client.resolveCustomer(r -> r.registrationToken(token));

    assertThat(token).startsWith("legacy-" + ACCOUNT + "-");
    assertThat(response.customerAWSAccountId()).isEqualTo(ACCOUNT);
    assertThat(response.productCode()).isEqualTo(PRODUCT);
    assertThat(response.customerIdentifier())
        .isEqualTo(CUSTOMER)
        .isEqualTo(MeteringStandIn.demoCustomerIdentifier(ACCOUNT));
    assertThat(lastResponse().has("LicenseArn")).isFalse();
  }

  @Test
  void givenTwoClicks_whenResolved_bothTokensNameTheSameAccount_eachWithItsOwnLicense() {
    String first = MeteringStandIn.newDemoToken(ACCOUNT);
    String second = MeteringStandIn.newDemoToken(ACCOUNT);

    assertThat(first).isNotEqualTo(second);
    ResolveCustomerResponse one = client.resolveCustomer(r -> r.registrationToken(first));
    String firstLicense = lastResponse().path("LicenseArn").asText();
    ResolveCustomerResponse two = client.resolveCustomer(r -> r.registrationToken(second));
    String secondLicense = lastResponse().path("LicenseArn").asText();

    assertThat(List.of(two.customerAWSAccountId(), two.productCode()))
        .containsExactly(one.customerAWSAccountId(), one.productCode());
    assertThat(secondLicense).matches(LICENSE_ARN).isNotEqualTo(firstLicense);
  }

  @Test
  void givenTheSameToken_whenResolvedAgain_itAnswersTheSameLicense() {
    String token = MeteringStandIn.newDemoToken(ACCOUNT);

    client.resolveCustomer(r -> r.registrationToken(token));
    String first = lastResponse().path("LicenseArn").asText();
    standIn.reset();
    client.resolveCustomer(r -> r.registrationToken(token));

    assertThat(lastResponse().path("LicenseArn").asText()).isEqualTo(first).matches(LICENSE_ARN);
    assertThat(MeteringStandIn.demoLicenseArn("demo-" + ACCOUNT))
        .isEqualTo(MeteringStandIn.demoLicenseArn("demo-" + ACCOUNT))
        .isNotEqualTo(first);
  }

  @Test
  void givenWrongProductDemoToken_whenResolved_itReturnsAnotherProduct() {
    ResolveCustomerResponse response =
        client.resolveCustomer(r -> r.registrationToken("demo-wrongproduct-" + ACCOUNT + "-x"));

    assertThat(response.productCode()).isEqualTo(MeteringStandIn.OTHER_PRODUCT_CODE);
    assertThat(response.customerAWSAccountId()).isEqualTo(ACCOUNT);
  }

  @Test
  void givenRegisteredTokenWithLicense_whenResolved_itAnswersTheLicense() {
    String license = "arn:aws:license-manager::999988887777:license:l-" + "ab".repeat(16);
    standIn.registerToken("tok-3", PRODUCT, "444455556666", null, license);

    ResolveCustomerResponse response = client.resolveCustomer(r -> r.registrationToken("tok-3"));

    assertThat(response.customerAWSAccountId()).isEqualTo("444455556666");
    assertThat(response.customerIdentifier()).isNull();
    assertThat(lastResponse().path("LicenseArn").asText()).isEqualTo(license);
  }

  @Test
  void givenRegisteredTokenWithoutIdentifier_whenResolved_itLeavesTheIdentifierOut() {
    standIn.registerToken("tok-1", PRODUCT, "444455556666", null);

    ResolveCustomerResponse response = client.resolveCustomer(r -> r.registrationToken("tok-1"));

    assertThat(response.customerAWSAccountId()).isEqualTo("444455556666");
    assertThat(response.customerIdentifier()).isNull();
  }

  @Test
  void givenUnknownToken_whenResolved_itThrowsInvalidToken() {
    assertThatThrownBy(() -> client.resolveCustomer(r -> r.registrationToken("nonsense")))
        .isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void givenExpiredTokens_whenResolved_theyThrowExpiredToken() {
    standIn.registerToken("tok-2", PRODUCT, ACCOUNT, CUSTOMER);
    standIn.expireToken("tok-2");

    assertThatThrownBy(() -> client.resolveCustomer(r -> r.registrationToken("expired-abc")))
        .isInstanceOf(ExpiredTokenException.class);
    assertThatThrownBy(() -> client.resolveCustomer(r -> r.registrationToken("tok-2")))
        .isInstanceOf(ExpiredTokenException.class);
  }

  @Test
  void givenInjectedFaults_whenResolved_eachBecomesTheSdksTypedException() {
    String token = MeteringStandIn.newDemoToken(ACCOUNT);
    standIn.failNext("ResolveCustomer", "ThrottlingException", 1);
    standIn.failNext("ResolveCustomer", "InternalServiceErrorException", 1);
    standIn.failNext("ResolveCustomer", "DisabledApiException", 1);

    assertThatThrownBy(() -> client.resolveCustomer(r -> r.registrationToken(token)))
        .isInstanceOf(ThrottlingException.class);
    assertThatThrownBy(() -> client.resolveCustomer(r -> r.registrationToken(token)))
        .isInstanceOfSatisfying(
            InternalServiceErrorException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
    assertThatThrownBy(() -> client.resolveCustomer(r -> r.registrationToken(token)))
        .isInstanceOf(DisabledApiException.class);
    assertThat(client.resolveCustomer(r -> r.registrationToken(token)).customerAWSAccountId())
        .isEqualTo(ACCOUNT);

    assertThat(standIn.calls())
        .extracting(MeteringCall::status)
        .containsExactly(400, 500, 400, 200);
    assertThat(standIn.calls())
        .extracting(MeteringCall::errorType)
        .containsExactly(
            "ThrottlingException", "InternalServiceErrorException", "DisabledApiException", null);
  }

  // ---- BatchMeterUsage

  @Test
  void givenTwentySixRecords_whenMetered_theCallIsRefused() {
    assertThatThrownBy(() -> meter(records(26, 1)))
        .isInstanceOfSatisfying(
            MarketplaceMeteringException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            });
    assertThat(standIn.meteredRecords()).isEmpty();
  }

  @Test
  void givenTwentyFiveRecords_whenMetered_allSucceed() {
    BatchMeterUsageResponse response = meter(records(25, 1));

    assertThat(response.results())
        .hasSize(25)
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(UsageRecordResultStatus.SUCCESS));
    assertThat(response.unprocessedRecords()).isEmpty();
    assertThat(standIn.meteredRecords()).hasSize(25);
  }

  @Test
  void givenIdenticalResubmission_whenMetered_itGetsTheSameIdAndIsBilledOnce() {
    List<UsageRecord> records = List.of(record(CUSTOMER, "users", hour(), 7));

    UsageRecordResult first = meter(records).results().get(0);
    UsageRecordResult again = meter(records).results().get(0);

    assertThat(again.status()).isEqualTo(UsageRecordResultStatus.SUCCESS);
    assertThat(again.meteringRecordId()).isEqualTo(first.meteringRecordId()).isNotBlank();
    assertThat(again.usageRecord()).isEqualTo(records.get(0));
    assertThat(standIn.meteredRecords())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.quantity()).isEqualTo(7);
              assertThat(m.customerAwsAccountId()).isEqualTo(ACCOUNT);
              assertThat(m.meteringRecordId()).isEqualTo(first.meteringRecordId());
            });
  }

  @Test
  void givenSameHourWithOtherTimestamp_whenMetered_itIsTheSameRecord() {
    UsageRecordResult first = meter(List.of(record(CUSTOMER, "users", hour(), 7))).results().get(0);
    UsageRecordResult later =
        meter(List.of(record(CUSTOMER, "users", hour().plusSeconds(60), 7))).results().get(0);

    assertThat(later.meteringRecordId()).isEqualTo(first.meteringRecordId());
    assertThat(standIn.meteredRecords()).hasSize(1);
  }

  @Test
  void givenOtherQuantityForTheSameHour_whenMetered_itIsADuplicateAndTheFirstStands() {
    meter(List.of(record(CUSTOMER, "users", hour(), 7)));

    UsageRecordResult result = meterOne(record(CUSTOMER, "users", hour(), 8));

    assertThat(result.status()).isEqualTo(UsageRecordResultStatus.DUPLICATE_RECORD);
    assertThat(result.meteringRecordId()).isNull();
    assertThat(standIn.meteredRecords())
        .singleElement()
        .extracting(MeteredRecord::quantity)
        .isEqualTo(7);
  }

  @Test
  void givenAccountIdInsteadOfIdentifier_whenMetered_itIsTheSameCustomer() {
    meter(List.of(record(CUSTOMER, "users", hour(), 7)));

    UsageRecord byAccount =
        UsageRecord.builder()
            .customerAWSAccountId(ACCOUNT)
            .dimension("users")
            .timestamp(hour())
            .quantity(7)
            .build();
    UsageRecordResult result = meter(List.of(byAccount)).results().get(0);

    assertThat(result.status()).isEqualTo(UsageRecordResultStatus.SUCCESS);
    assertThat(standIn.meteredRecords()).hasSize(1);
  }

  @Test
  void givenUnprocessedRecords_whenResubmitted_theyAreMetered() {
    standIn.returnUnprocessedNext(2);
    List<UsageRecord> records = records(5, 1);

    BatchMeterUsageResponse response = meter(records);

    assertThat(response.results()).hasSize(3);
    assertThat(response.unprocessedRecords()).containsExactly(records.get(3), records.get(4));
    assertThat(standIn.meteredRecords()).hasSize(3);

    BatchMeterUsageResponse retry = meter(response.unprocessedRecords());

    assertThat(retry.results()).hasSize(2);
    assertThat(retry.unprocessedRecords()).isEmpty();
    assertThat(standIn.meteredRecords()).hasSize(5);
  }

  @Test
  void givenOneRecordOutOfTheWindow_whenMetered_theWholeCallFails() {
    Instant tooOld = Instant.now().minus(7, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
    List<UsageRecord> records =
        List.of(record(CUSTOMER, "users", hour(), 1), record(CUSTOMER, "admins", tooOld, 1));

    assertThatThrownBy(() -> meter(records)).isInstanceOf(TimestampOutOfBoundsException.class);
    assertThat(standIn.meteredRecords()).isEmpty();
  }

  @Test
  void givenFutureTimestamp_whenMetered_itIsOutOfBounds() {
    Instant future = Instant.now().plus(1, ChronoUnit.HOURS);

    assertThatThrownBy(() -> meter(List.of(record(CUSTOMER, "users", future, 1))))
        .isInstanceOf(TimestampOutOfBoundsException.class);
  }

  @Test
  void givenDimensionsConfigured_whenAnUnknownIsMetered_itIsRefused() {
    standIn.setAllowedDimensions(Set.of("users"));
    try {
      assertThatThrownBy(() -> meter(List.of(record(CUSTOMER, "gigabytes", hour(), 1))))
          .isInstanceOf(InvalidUsageDimensionException.class);
      assertThat(meter(List.of(record(CUSTOMER, "users", hour(), 1))).results()).hasSize(1);
    } finally {
      standIn.setAllowedDimensions(null);
    }
  }

  @Test
  void givenUnsubscribedCustomer_whenMetered_itIsNotSubscribed() {
    standIn.unsubscribe(CUSTOMER);

    UsageRecordResult result = meterOne(record(CUSTOMER, "users", hour(), 1));

    assertThat(result.status()).isEqualTo(UsageRecordResultStatus.CUSTOMER_NOT_SUBSCRIBED);
    assertThat(standIn.meteredRecords()).isEmpty();

    standIn.resubscribe(ACCOUNT);
    assertThat(meter(List.of(record(CUSTOMER, "users", hour(), 1))).results().get(0).status())
        .isEqualTo(UsageRecordResultStatus.SUCCESS);
  }

  @Test
  void givenUnknownCustomerOrProduct_whenMetered_theCallFails() {
    assertThatThrownBy(() -> meter(List.of(record("nobody", "users", hour(), 1))))
        .isInstanceOf(InvalidCustomerIdentifierException.class);
    assertThatThrownBy(
            () ->
                client.batchMeterUsage(
                    r ->
                        r.productCode("not-ours")
                            .usageRecords(record(CUSTOMER, "users", hour(), 1))))
        .isInstanceOf(InvalidProductCodeException.class);
  }

  @Test
  void givenAllocations_whenTheyDoNotAddUp_theCallFails_elseTheyAreKept() {
    UsageAllocation three =
        UsageAllocation.builder()
            .allocatedUsageQuantity(3)
            .tags(Tag.builder().key("team").value("a").build())
            .build();
    UsageAllocation four =
        UsageAllocation.builder()
            .allocatedUsageQuantity(4)
            .tags(Tag.builder().key("team").value("b").build())
            .build();

    assertThatThrownBy(
            () ->
                meterOne(
                    record(CUSTOMER, "users", hour(), 8).toBuilder()
                        .usageAllocations(three, four)
                        .build()))
        .isInstanceOf(InvalidUsageAllocationsException.class);

    UsageRecord seven = record(CUSTOMER, "users", hour(), 7);
    meterOne(seven.toBuilder().usageAllocations(three, four).build());
    assertThat(standIn.meteredRecords().get(0).allocations())
        .extracting(MeteredRecord.Allocation::quantity)
        .containsExactly(3, 4);
  }

  @Test
  void theSdkSendsTimestampsAsEpochSecondsNumbers() {
    Instant withMillis = hour().plusMillis(1234);

    meter(List.of(record(CUSTOMER, "users", withMillis, 1)));

    JsonNode sent = standIn.calls().get(0).request().path("UsageRecords").get(0).path("Timestamp");
    System.out.println("SDK Timestamp JSON: " + sent + " (" + sent.getNodeType() + ")");
    assertThat(sent.isNumber()).isTrue();
    assertThat(standIn.meteredRecords().get(0).timestamp()).isEqualTo(withMillis);
  }

  @Test
  void givenThrottling_whenMetered_theSdkThrowsItAndNothingIsBilled() {
    standIn.failNext("BatchMeterUsage", "ThrottlingException", 1);

    assertThatThrownBy(() -> meter(records(3, 1))).isInstanceOf(ThrottlingException.class);

    assertThat(standIn.meteredRecords()).isEmpty();
    assertThat(standIn.calls("BatchMeterUsage")).hasSize(1);
    assertThat(meter(records(3, 1)).results()).hasSize(3);
  }

  // ---- helpers

  /** The JSON body of the stand-in's last answer, as it went on the wire. */
  static JsonNode lastResponse() {
    List<MeteringCall> calls = standIn.calls();
    return calls.get(calls.size() - 1).response();
  }

  static BatchMeterUsageResponse meter(List<UsageRecord> records) {
    return client.batchMeterUsage(r -> r.productCode(PRODUCT).usageRecords(records));
  }

  static UsageRecordResult meterOne(UsageRecord record) {
    return meter(List.of(record)).results().get(0);
  }

  /** {@code count} records for distinct demo customers. */
  static List<UsageRecord> records(int count, int quantity) {
    return IntStream.range(0, count)
        .mapToObj(i -> record(String.format("cust-%012d", i), "users", hour(), quantity))
        .toList();
  }

  static UsageRecord record(String customer, String dimension, Instant timestamp, int quantity) {
    return UsageRecord.builder()
        .customerIdentifier(customer)
        .dimension(dimension)
        .timestamp(timestamp)
        .quantity(quantity)
        .build();
  }

  /** The start of the current usage hour, as metering code should send. */
  static Instant hour() {
    return Instant.now().truncatedTo(ChronoUnit.HOURS);
  }
}
