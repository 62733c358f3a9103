package io.mpconnect.activities.entitlements;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpconnect.activities.accounts.TestDatabase;
import io.mpconnect.activities.aws.EntitlementClient;
import io.mpconnect.activities.aws.EntitlementClient.EntitlementServiceException;
import io.mpconnect.persistence.EntitlementRepository;
import io.mpconnect.standins.entitlements.EntitlementStandIn;
import io.mpconnect.standins.entitlements.EntitlementStandIn.Call;
import io.mpconnect.standins.entitlements.EntitlementStandIn.Entitlement;
import io.mpconnect.workflows.activities.EntitlementActivities;
import io.mpconnect.workflows.messages.EntitlementLine;
import io.mpconnect.workflows.messages.EntitlementSummary;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * The GetEntitlements client (the SDK's HTTP client and SigV4 signer) against the Entitlement
 * stand-in over HTTP, and the activity under Temporal's retry policy: throttling is retried by
 * Temporal, an invalid parameter fails at once with a named non-retryable failure.
 */
class EntitlementClientTest {
  @RegisterExtension static final TestDatabase database = new TestDatabase();

  private static final String PRODUCT = "prod-contract1";
  private static final String ACCOUNT = "222233334444";
  private static final String ARN = "arn:aws:license-manager::294406891311:license:l-aaa";
  private static final String OTHER_ARN = "arn:aws:license-manager::294406891311:license:l-bbb";
  private static final Instant EXPIRES = Instant.parse("2027-03-01T12:00:00.250Z");

  private static EntitlementStandIn standIn;
  private static EntitlementClient client;

  @BeforeAll
  static void start() {
    standIn = EntitlementStandIn.start();
    client =
        new EntitlementClient(
            UrlConnectionHttpClient.builder().build(),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
            Region.US_EAST_1,
            standIn.endpoint());
  }

  @AfterAll
  static void stop() {
    client.close();
    standIn.close();
  }

  @BeforeEach
  void reset() {
    standIn.reset();
  }

  @Test
  void itSignsForAwsMarketplace_filtersByAccountAndLicense_andReadsEveryPage() {
    for (int i = 0; i < 30; i++) {
      standIn.put(Entitlement.ofInteger(PRODUCT, ACCOUNT, ARN, "dim-" + i, i, EXPIRES));
    }
    standIn.put(Entitlement.ofInteger(PRODUCT, ACCOUNT, OTHER_ARN, "dim-x", 1, EXPIRES));
    standIn.put(Entitlement.ofInteger(PRODUCT, "999988887777", ARN, "dim-y", 1, EXPIRES));
    standIn.put(new Entitlement(PRODUCT, ACCOUNT, ARN, "tier", null, null, null, "gold <b>", null));

    List<EntitlementLine> lines = client.getEntitlements(PRODUCT, ACCOUNT, ARN);

    assertThat(lines).hasSize(31);
    assertThat(lines.get(7)).isEqualTo(
        new EntitlementLine(PRODUCT, ACCOUNT, ARN, "dim-7", "INTEGER", "7", EXPIRES));
    assertThat(lines.get(30)).isEqualTo(
        new EntitlementLine(PRODUCT, ACCOUNT, ARN, "tier", "STRING", "gold <b>", null));
    List<Call> calls = standIn.calls();
    assertThat(calls).hasSize(2);
    for (Call call : calls) {
      assertThat(call.status()).isEqualTo(200);
      assertThat(call.target()).isEqualTo("AWSMPEntitlementService.GetEntitlements");
      assertThat(call.authorization())
          .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
          .contains("/us-east-1/aws-marketplace/aws4_request")
          .contains("x-amz-target");
      assertThat(call.body().get("ProductCode").asText()).isEqualTo(PRODUCT);
      assertThat(call.body().get("Filter").get("CUSTOMER_AWS_ACCOUNT_ID").get(0).asText())
          .isEqualTo(ACCOUNT);
      assertThat(call.body().get("Filter").get("LICENSE_ARN").get(0).asText()).isEqualTo(ARN);
      assertThat(call.body().get("Filter").has("CUSTOMER_IDENTIFIER")).isFalse();
      assertThat(call.body().get("MaxResults").asInt()).isEqualTo(25);
    }
    assertThat(calls.get(0).body().has("NextToken")).isFalse();
    assertThat(calls.get(1).body().get("NextToken").asText()).startsWith("page-");
  }

  @Test
  void withoutALicense_itReadsTheWholeAccount() {
    standIn.put(Entitlement.ofInteger(PRODUCT, ACCOUNT, null, "users", 10, null));

    assertThat(client.getEntitlements(PRODUCT, ACCOUNT, null)).singleElement()
        .satisfies(l -> assertThat(l.licenseArn()).isNull());
    assertThat(standIn.calls().get(0).body().get("Filter").has("LICENSE_ARN")).isFalse();
  }

  @Test
  void awsErrors_areNamed_andClassified() {
    standIn.failNext(400, "ThrottlingException", "Rate exceeded");
    EntitlementServiceException throttled =
        catchThrowableOfType(EntitlementServiceException.class,
            () -> client.getEntitlements(PRODUCT, ACCOUNT, ARN));
    assertThat(throttled.type()).isEqualTo("ThrottlingException");
    assertThat(throttled.retryable()).isTrue();

    standIn.failNext(400, "InvalidParameterException", "bad filter");
    EntitlementServiceException invalid =
        catchThrowableOfType(EntitlementServiceException.class,
            () -> client.getEntitlements(PRODUCT, ACCOUNT, ARN));
    assertThat(invalid.invalidParameter()).isTrue();
    assertThat(invalid.retryable()).isFalse();

    standIn.failNext(500, "InternalServiceErrorException", "oops");
    assertThat(catchThrowableOfType(EntitlementServiceException.class,
        () -> client.getEntitlements(PRODUCT, ACCOUNT, ARN)).retryable()).isTrue();
  }

  // ---- the activity under Temporal

  @WorkflowInterface
  public interface RefreshWorkflow {
    @WorkflowMethod
    EntitlementSummary refresh(String licenseArn);
  }

  public static class RefreshWorkflowImpl implements RefreshWorkflow {
    private final EntitlementActivities activities =
        Workflow.newActivityStub(
            EntitlementActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumAttempts(5)
                        .build())
                .build());

    @Override
    public EntitlementSummary refresh(String licenseArn) {
      return activities.refreshEntitlements(PRODUCT, ACCOUNT, licenseArn);
    }
  }

  private TestWorkflowEnvironment env;

  @AfterEach
  void closeTemporal() {
    if (env != null) {
      env.close();
    }
  }

  private RefreshWorkflow workflow() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("entitlements");
    worker.registerWorkflowImplementationTypes(RefreshWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new EntitlementActivitiesImpl(client, new EntitlementRepository(database.jdbi())));
    env.start();
    return env.getWorkflowClient()
        .newWorkflowStub(RefreshWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue("entitlements").build());
  }

  @Test
  void throttling_isRetriedByTemporal_thenTheEntitlementsAreStored() {
    standIn.put(Entitlement.ofInteger(PRODUCT, ACCOUNT, ARN, "users", 10, EXPIRES));
    standIn.put(Entitlement.ofInteger(PRODUCT, ACCOUNT, ARN, "admins", 2, EXPIRES.minusSeconds(60)));
    standIn.failNext(400, "ThrottlingException", "Rate exceeded");

    EntitlementSummary summary = workflow().refresh(ARN);

    assertThat(summary.entitlements()).isEqualTo(2);
    assertThat(summary.latestExpiry()).isEqualTo(EXPIRES);
    assertThat(summary.anyWithoutExpiry()).isFalse();
    assertThat(summary.allExpireAt()).isEqualTo(EXPIRES);
    assertThat(standIn.calls()).extracting(Call::status).containsExactly(400, 200);
    assertThat(new EntitlementRepository(database.jdbi()).forCustomer(PRODUCT, ACCOUNT))
        .extracting(EntitlementRepository.Entitlement::dimension,
            EntitlementRepository.Entitlement::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("admins", "2"),
            org.assertj.core.groups.Tuple.tuple("users", "10"));
  }

  @Test
  void anInvalidParameter_failsAtOnce_withANamedNonRetryableFailure() {
    standIn.failNext(400, "InvalidParameterException", "ProductCode is not yours");

    WorkflowFailedException failed =
        catchThrowableOfType(WorkflowFailedException.class, () -> workflow().refresh(ARN));

    assertThat(failed.getCause()).isInstanceOf(ActivityFailure.class);
    ApplicationFailure cause = (ApplicationFailure) failed.getCause().getCause();
    assertThat(cause.getType()).isEqualTo(EntitlementActivities.INVALID_PARAMETER);
    assertThat(cause.isNonRetryable()).isTrue();
    assertThat(standIn.calls()).as("not retried").hasSize(1);
  }
}
