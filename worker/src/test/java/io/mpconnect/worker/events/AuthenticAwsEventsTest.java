package io.mpconnect.worker.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.EventTrustSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.standins.events.AgreementEvents.Envelope;
import io.mpconnect.standins.sns.SnsStandIn;
import io.mpconnect.standins.sqs.LocalSqs;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Who can change a plan through the lifecycle queue: the worker's intake as it is wired in
 * production ({@link LifecycleEventIntake#create}, settings from the environment, the AWS SDK's SNS
 * signature check), on an in-process SQS, a real PostgreSQL ({@code parked_events}) and Temporal's
 * test server. SNS is played by {@link SnsStandIn}: its self-signed certificate in SNS's name is
 * trusted only because MARKETPLACE_SNS_CERTIFICATE_ENDPOINT tells the worker where to fetch it.
 *
 * <p>Each attack sends one message and finds it parked with its reason, and no subscription
 * workflow started or signalled for the customer it names.
 */
class AuthenticAwsEventsTest {
  private static final String PRODUCT = "prod-authentic1";
  private static final String PRODUCT_ID = "prod-listingauth";
  private static final String SELLER = "123456512334";
  private static final String TASK_QUEUE = "authentic-events-test";
  private static final String AWS_TOPIC = EventTrustSettings.awsTopics(PRODUCT).get(0);

  private static LocalSqs localSqs;
  private static SqsClient sqs;
  private static EmbeddedDatabase postgres;
  private static Database database;
  private static TestWorkflowEnvironment temporal;
  private static SnsStandIn sns;

  private String queueUrl;
  private LifecycleEventIntake intake;

  @BeforeAll
  static void start() {
    localSqs = LocalSqs.start(0);
    sqs = SqsClients.create(new Env(aws()));
    postgres = EmbeddedDatabase.start();
    database = Database.connect(new DatabaseSettings(postgres.createDatabase("authentic_events"),
        EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD), 2);
    temporal = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    SearchAttributes.ALL.forEach(key -> temporal.registerSearchAttribute(key.getName(),
        IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    temporal.start();
    sns = SnsStandIn.start();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {sns, temporal, database, postgres, sqs, localSqs}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing what the tests opened; nothing to report
      }
    }
  }

  /** The worker's intake on a fresh queue, with the settings operators set (and the test's SNS). */
  private void startIntake(TestInfo info, Map<String, String> settings) {
    String name = info.getTestMethod().orElseThrow().getName();
    queueUrl = sqs.createQueue(r -> r.queueName(name.length() > 70 ? name.substring(0, 70) : name))
        .queueUrl();
    Map<String, String> env = aws();
    env.put("SQS_QUEUE_URL", queueUrl);
    env.put("SQS_WAIT_TIME_SECONDS", "1");
    env.put("MARKETPLACE_PRODUCT_CODE", PRODUCT);
    env.put("MARKETPLACE_PRODUCT_ID", PRODUCT_ID);
    env.put("MARKETPLACE_SELLER_ACCOUNT_ID", SELLER);
    env.put("MARKETPLACE_SNS_CERTIFICATE_ENDPOINT", sns.certificateEndpoint().toString());
    env.putAll(settings);
    intake = LifecycleEventIntake.create(new Env(env),
        new SubscriptionSignals(temporal.getWorkflowClient(), TASK_QUEUE), database.jdbi(),
        new SimpleMeterRegistry());
    intake.start();
  }

  private void startIntake(TestInfo info) {
    startIntake(info, Map.of());
  }

  @AfterEach
  void stopIntake() {
    if (intake != null) {
      intake.close();
    }
  }

  // ---- attacks

  @Test
  void aForgedSnsNotificationWithABadSignature_isParked_BAD_SIGNATURE(TestInfo info) {
    startIntake(info);
    String account = newAccount();

    String id = send(sns.forged(AWS_TOPIC, subscribeSuccess(account)));

    assertParked(id, "BAD_SIGNATURE", "signature");
    assertNoSubscription(account);
  }

  @Test
  void aNotificationSignedBySnsForAnotherTopic_isParked_FOREIGN_TOPIC(TestInfo info) {
    startIntake(info);
    String account = newAccount();
    // Anyone can own a topic and have SNS sign its messages: the signature is genuine.
    String attackersTopic = "arn:aws:sns:us-east-1:999988887777:aws-mp-subscription-notification-"
        + PRODUCT;

    String id = send(sns.notification(attackersTopic, subscribeSuccess(account)));

    assertParked(id, "FOREIGN_TOPIC", attackersTopic);
    assertNoSubscription(account);
  }

  @Test
  void aValidSignatureOnAnAlteredBody_isParked_BAD_SIGNATURE(TestInfo info) {
    startIntake(info);
    String account = newAccount();
    String genuine = sns.notification(AWS_TOPIC, legacy("subscribe-fail", account));

    String id = send(genuine.replace("subscribe-fail", "subscribe-success"));

    assertParked(id, "BAD_SIGNATURE", "signature");
    assertNoSubscription(account);
  }

  @Test
  void aSignatureWhoseCertificateIsNotOnSnssHost_isParked_BAD_SIGNATURE(TestInfo info) {
    startIntake(info);
    String account = newAccount();

    String id = send(sns.signedWithCertificateAt("https://certs.example.com/sns.pem", AWS_TOPIC,
        subscribeSuccess(account)));

    assertParked(id, "BAD_SIGNATURE", "host");
    assertNoSubscription(account);
  }

  @Test
  void anEventBridgeEventSentToAnotherSellersAccount_isParked_FOREIGN_ACCOUNT(TestInfo info) {
    startIntake(info);
    String account = newAccount();
    String event = new AgreementEvents("999999999999", PRODUCT_ID, PRODUCT).licenseUpdated(
        account, "agmt-foreign1", "arn:aws:license-manager::1:license:l-foreign", "offer-1");

    String id = send(event);

    assertParked(id, "FOREIGN_ACCOUNT", "999999999999");
    assertNoSubscription(account);
  }

  @Test
  void aBareMessageWithoutTheOptIn_isParked_UNSIGNED(TestInfo info) {
    startIntake(info);
    String account = newAccount();
    String other = newAccount();

    String bare = send(subscribeSuccess(account));
    String unsignedEnvelope = send("{\"Type\":\"Notification\",\"MessageId\":\"m-unsigned\","
        + "\"TopicArn\":\"" + AWS_TOPIC + "\",\"Message\":" + quoted(subscribeSuccess(other))
        + ",\"Timestamp\":\"" + Instant.now() + "\"}");

    assertParked(bare, "UNSIGNED", "MARKETPLACE_ACCEPT_UNSIGNED_EVENTS");
    assertParked(unsignedEnvelope, "UNSIGNED", "without a signature");
    assertNoSubscription(account);
    assertNoSubscription(other);
  }

  @Test
  void aFarFutureEventTime_isParked_FUTURE_TIME(TestInfo info) {
    startIntake(info);
    String account = newAccount();
    String other = newAccount();
    Instant nextYear = Instant.now().plus(Duration.ofDays(365));
    // Genuinely from AWS's rule and seller account, but dated a year ahead: applied, it would
    // outrank every real event of the license until then.
    String event = new AgreementEvents(SELLER, PRODUCT_ID, PRODUCT).licenseUpdated(
        new Envelope(null, nextYear, null), account, "agmt-future1",
        "arn:aws:license-manager::1:license:l-future", "offer-1");
    String signed = sns.notification(AWS_TOPIC, subscribeSuccess(other), "sns-future", nextYear, 2);

    String eventId = send(event);
    String signedId = send(signed);

    assertParked(eventId, "FUTURE_TIME", nextYear.toString().substring(0, 10));
    assertParked(signedId, "FUTURE_TIME", "minutes from now");
    assertNoSubscription(account);
    assertNoSubscription(other);
  }

  @Test
  void withTheOptIn_aBareMessageIsApplied_butAForgedSignatureIsStillRefused(TestInfo info) {
    startIntake(info, Map.of("MARKETPLACE_ACCEPT_UNSIGNED_EVENTS", "true"));
    String account = newAccount();
    String forgedFor = newAccount();

    String bare = send(subscribeSuccess(account));
    String forged = send(sns.forged(AWS_TOPIC, subscribeSuccess(forgedFor)));

    awaitSignalled(account);
    assertParked(forged, "BAD_SIGNATURE", "signature");
    assertNoSubscription(forgedFor);
    assertThat(parkedReason(bare)).isEmpty();
  }

  // ---- AWS's own

  @Test
  void aNotificationSignedBySnsForAwssTopic_isApplied_withEitherSignatureVersion(TestInfo info) {
    startIntake(info);
    String v1 = newAccount();
    String v2 = newAccount();

    String first = send(sns.notification(AWS_TOPIC, subscribeSuccess(v1), "sns-v1", Instant.now(), 1));
    String second = send(sns.notification(AWS_TOPIC, subscribeSuccess(v2), "sns-v2", Instant.now(), 2));

    awaitSignalled(v1);
    awaitSignalled(v2);
    assertThat(parkedReason(first)).isEmpty();
    assertThat(parkedReason(second)).isEmpty();
  }

  // ---- helpers

  private static Map<String, String> aws() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ENDPOINT_URL_SQS", localSqs.endpoint().toString());
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ACCESS_KEY_ID", "test");
    env.put("AWS_SECRET_ACCESS_KEY", "test");
    return env;
  }

  private String send(String body) {
    return sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body)).messageId();
  }

  private void assertParked(String messageId, String reason, String detailMentions) {
    await("message " + messageId + " parked", () -> parkedReason(messageId).isPresent());
    assertThat(parkedReason(messageId)).contains(reason);
    String detail = database.jdbi().withHandle(h -> h.createQuery(
            "SELECT detail FROM parked_events WHERE transport_message_id = :id")
        .bind("id", messageId).mapTo(String.class).one());
    assertThat(detail).containsIgnoringCase(detailMentions);
  }

  private Optional<String> parkedReason(String messageId) {
    return database.jdbi().withHandle(h -> h.createQuery(
            "SELECT reason FROM parked_events WHERE source = 'sqs' AND transport_message_id = :id")
        .bind("id", messageId).mapTo(String.class).findOne());
  }

  /** No subscription workflow exists for the account: nothing was started, nothing signalled. */
  private static void assertNoSubscription(String account) {
    assertThatThrownBy(() -> temporal.getWorkflowClient()
            .newUntypedWorkflowStub(SubscriptionIds.workflowId(PRODUCT, account)).describe())
        .isInstanceOf(WorkflowNotFoundException.class);
  }

  /** The account's subscription workflow was started by signal-with-start with the event. */
  private static void awaitSignalled(String account) {
    String workflowId = SubscriptionIds.workflowId(PRODUCT, account);
    await(workflowId + " signalled", () -> {
      try {
        return temporal.getWorkflowClient().fetchHistory(workflowId).getEvents().stream()
            .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      } catch (RuntimeException notYet) {
        return false; // NOT_FOUND until the signal-with-start
      }
    });
  }

  private static void await(String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static String newAccount() {
    return String.format("%012d", ThreadLocalRandom.current().nextLong(1_000_000_000_000L));
  }

  private static String subscribeSuccess(String account) {
    return legacy("subscribe-success", account);
  }

  private static String legacy(String action, String account) {
    return "{\"action\":\"" + action + "\",\"customer-aws-account-id\":\"" + account + "\","
        + "\"product-code\":\"" + PRODUCT + "\"}";
  }

  private static String quoted(String json) {
    return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
