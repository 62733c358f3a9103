package io.mpconnect.activities.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpconnect.config.Env;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;

/** The real AWS SDK client over HTTP against the local JSON 1.1 stand-in of the Metering API. */
class MarketplaceActivitiesImplTest {
  private static final String PRODUCT = "prod-ours";
  private static MeteringStandIn standIn;
  private static MarketplaceMeteringClient client;
  private final List<String> errors = new ArrayList<>();
  private MarketplaceActivitiesImpl activities;

  @BeforeAll
  static void startStandIn() {
    standIn = new MeteringStandIn(PRODUCT).start(0);
    client = MeteringClients.create(new Env(Map.of(
        MeteringClients.ENDPOINT_VARIABLE, standIn.endpoint().toString(),
        "AWS_REGION", "us-east-1",
        "AWS_ACCESS_KEY_ID", "test",
        "AWS_SECRET_ACCESS_KEY", "test")));
  }

  @AfterAll
  static void stopStandIn() {
    client.close();
    standIn.close();
  }

  @BeforeEach
  void setUp() {
    standIn.reset();
    activities = new MarketplaceActivitiesImpl(client, PRODUCT, (op, type) -> errors.add(op + ":" + type));
  }

  @Test
  void resolvesTheCustomerOfAValidToken() {
    standIn.registerToken("token-1", PRODUCT, "123456789012", "cust-legacy");
    ResolvedCustomer customer = activities.resolveCustomer("token-1");
    assertThat(customer).isEqualTo(new ResolvedCustomer(PRODUCT, "123456789012", "cust-legacy"));
    assertThat(standIn.calls("ResolveCustomer")).hasSize(1);
  }

  @Test
  void aCurrentModelTokenResolvesWithItsLicenseArnAndNoIdentifier() {
    String token = MeteringStandIn.newDemoToken("123456789012");

    ResolvedCustomer customer = activities.resolveCustomer(token);

    assertThat(customer)
        .isEqualTo(
            new ResolvedCustomer(
                PRODUCT, "123456789012", null, MeteringStandIn.demoLicenseArn(token)));
    assertThat(customer.licenseArn())
        .matches("arn:aws:license-manager::\\d{12}:license:l-[0-9a-f]{32}");
    // The same token again (Temporal's retry of the activity): the same license.
    assertThat(activities.resolveCustomer(token)).isEqualTo(customer);
    // A new click, a new agreement of the same account: another license.
    String another = MeteringStandIn.newDemoToken("123456789012");
    assertThat(activities.resolveCustomer(another).licenseArn()).isNotEqualTo(customer.licenseArn());
  }

  @Test
  void aLegacyTokenResolvesWithItsIdentifierAndNoLicenseArn() {
    ResolvedCustomer customer =
        activities.resolveCustomer(MeteringStandIn.newLegacyToken("123456789012"));

    assertThat(customer)
        .isEqualTo(
            new ResolvedCustomer(
                PRODUCT, "123456789012", MeteringStandIn.demoCustomerIdentifier("123456789012"),
                null));
  }

  @Test
  void aRegisteredLicenseIsPassedOn() {
    String license = "arn:aws:license-manager::999988887777:license:l-" + "1a".repeat(16);
    standIn.registerToken("token-4", PRODUCT, "123456789012", null, license);

    assertThat(activities.resolveCustomer("token-4"))
        .isEqualTo(new ResolvedCustomer(PRODUCT, "123456789012", null, license));
  }

  @Test
  void aTokenOfAnotherProductIsFinalWrongProduct() {
    standIn.registerToken("token-2", "prod-theirs", "123456789012", null);
    ApplicationFailure failure = failureOf("token-2");
    assertThat(failure.getType()).isEqualTo(FailureTypes.WRONG_PRODUCT);
    assertThat(failure.isNonRetryable()).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}, nonRetryable={2}")
  @CsvSource({
    "InvalidTokenException, InvalidToken, true",
    "ExpiredTokenException, ExpiredToken, true",
    "DisabledApiException, AwsApiDisabled, true",
    "ThrottlingException, AwsThrottled, false",
    "InternalServiceErrorException, AwsUnavailable, false",
    "InvalidProductCodeException, AwsBadRequest, true",
  })
  void eachAwsErrorBecomesTheIntendedFailure(String awsError, String type, boolean nonRetryable) {
    standIn.registerToken("token-3", PRODUCT, "123456789012", null);
    standIn.failNext("ResolveCustomer", awsError, 1);

    ApplicationFailure failure = failureOf("token-3");

    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
    assertThat(failure.getOriginalMessage()).doesNotContain("token-3");
    assertThat(errors).containsExactly("ResolveCustomer:" + type);
    // The SDK's own retries are off: Temporal is the one owner of retries.
    assertThat(standIn.calls("ResolveCustomer")).hasSize(1);
    // The next attempt (Temporal's retry) succeeds.
    assertThat(activities.resolveCustomer("token-3").awsAccountId()).isEqualTo("123456789012");
  }

  @Test
  void aWrongProductDemoTokenIsFinalWrongProduct() {
    ApplicationFailure failure = failureOf("demo-wrongproduct-123456789012-x");
    assertThat(failure.getType()).isEqualTo(FailureTypes.WRONG_PRODUCT);
    assertThat(failure.isNonRetryable()).isTrue();
  }

  @Test
  void anUnreachableEndpointIsRetryable() {
    try (MarketplaceMeteringClient nowhere = MeteringClients.create(new Env(Map.of(
        MeteringClients.ENDPOINT_VARIABLE, "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test")))) {
      ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class,
          () -> new MarketplaceActivitiesImpl(nowhere, PRODUCT, AwsCallMetrics.NONE)
              .resolveCustomer("whatever"));
      assertThat(failure.getType()).isEqualTo(MarketplaceActivitiesImpl.AWS_UNAVAILABLE);
      assertThat(failure.isNonRetryable()).isFalse();
    }
  }

  private ApplicationFailure failureOf(String token) {
    return catchThrowableOfType(ApplicationFailure.class, () -> activities.resolveCustomer(token));
  }
}
