package io.mpconnect.worker.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpconnect.config.Env;
import io.mpconnect.persistence.ParkedEventRepository.Parking;
import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.standins.events.AgreementEvents.Envelope;
import io.mpconnect.standins.sqs.LocalSqs;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Authenticity;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Listing;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowServiceException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The queue consumer with the real AWS SDK against an in-process SQS (ElasticMQ): what is deleted,
 * what is parked, what waits for redelivery. Temporal and the parking table are small fakes here;
 * the end-to-end test runs them for real.
 */
class LifecycleEventConsumerTest {
  private static final String PRODUCT = "prod-abc123";
  private static final String PRODUCT_ID = "prod-listing42";
  private static final String SELLER = "123456512334";
  private static final String BUYER = "845735284135";
  private static final WorkflowExecution EXECUTION =
      WorkflowExecution.newBuilder().setWorkflowId("subscription-prod-abc123-cust").build();

  /**
   * These tests are about the queue, not about who sent to it: they send bare legacy messages, as
   * the developer mode accepts them (AuthenticAwsEventsTest covers the signatures).
   */
  private static final Authenticity UNSIGNED_ACCEPTED = Authenticity.unsignedAccepted();

  private static LocalSqs localSqs;
  private static SqsClient sqs;
  /** The same SQS through a client that records each call it makes, see {@link #call}. */
  private static SqsClient counted;
  private static final List<String> CALLS = new CopyOnWriteArrayList<>();

  private final List<LifecycleEvent> delivered = new CopyOnWriteArrayList<>();
  private final List<Parking> parked = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private String queueUrl;

  @BeforeAll
  static void startSqs() {
    localSqs = LocalSqs.start(0);
    sqs =
        SqsClients.create(
            new Env(
                Map.of(
                    "AWS_ENDPOINT_URL_SQS", localSqs.endpoint().toString(),
                    "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "test",
                    "AWS_SECRET_ACCESS_KEY", "test")));
    counted =
        SqsClient.builder()
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .endpointOverride(localSqs.endpoint())
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
              @Override
              public void beforeExecution(
                  Context.BeforeExecution context, ExecutionAttributes attributes) {
                CALLS.add(call(context.request()));
              }
            }))
            .build();
  }

  @AfterAll
  static void stopSqs() {
    if (sqs != null) {
      sqs.close();
    }
    if (counted != null) {
      counted.close();
    }
    if (localSqs != null) {
      localSqs.close();
    }
  }

  @BeforeEach
  void createQueue(TestInfo info) {
    CALLS.clear();
    String name = info.getTestMethod().orElseThrow().getName();
    queueUrl =
        sqs.createQueue(
                r ->
                    r.queueName(name.length() > 70 ? name.substring(0, 70) : name)
                        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1")))
            .queueUrl();
  }

  @Test
  void aPoisonMessageIsParkedAndCountedWhileTheGoodOnesBehindItAreProcessed() {
    send(legacy("subscribe-success", "cust-1"));
    send("this is not JSON {");
    send(legacy("subscribe-success", "cust-2").replace(PRODUCT, "someone-elses-product"));
    send(sns("sns-1", legacy("unsubscribe-pending", "cust-3")));
    send(legacy("subscribe-whatever", "cust-4"));
    LifecycleEventConsumer consumer = consumer(sink(), 5);

    drain(consumer);

    assertThat(delivered).extracting(LifecycleEvent::customerKey)
        .containsExactlyInAnyOrder("cust-1", "cust-3");
    assertThat(delivered).filteredOn(e -> e.customerKey().equals("cust-3")).singleElement()
        .satisfies(e -> {
          assertThat(e.action()).isEqualTo(LifecycleAction.UNSUBSCRIBE_PENDING);
          assertThat(e.messageId()).isEqualTo("sns-1");
        });
    assertThat(delivered).filteredOn(e -> e.customerKey().equals("cust-1")).singleElement()
        .satisfies(e -> {
          assertThat(e.messageId()).as("the SQS message id").isNotBlank();
          assertThat(e.occurredAt()).as("SQS SentTimestamp").isNotNull();
          assertThat(e.source()).isEqualTo("sqs");
        });
    assertThat(parked).extracting(Parking::reason)
        .containsExactlyInAnyOrder("MALFORMED", "UNKNOWN_PRODUCT", "UNKNOWN_ACTION");
    assertThat(parked).filteredOn(p -> p.reason().equals("MALFORMED")).singleElement()
        .satisfies(p -> {
          assertThat(p.body()).isEqualTo("this is not JSON {");
          assertThat(p.source()).isEqualTo("sqs");
          assertThat(p.transportMessageId()).isNotBlank();
        });
    assertThat(parkedCount("MALFORMED")).isEqualTo(1);
    assertThat(parkedCount("UNKNOWN_PRODUCT")).isEqualTo(1);
    assertThat(parkedCount("UNKNOWN_ACTION")).isEqualTo(1);
    assertThat(registry.counter("mpconnect_lifecycle_events_delivered", "action",
        "subscribe-success").count()).isEqualTo(1);
    assertThatTheQueueIsEmpty();
  }

  @Test
  void awsCurrentModelEventsAreDeliveredEachWithItsOwnId_foreignOnesParked() {
    AgreementEvents events = new AgreementEvents(SELLER, PRODUCT_ID, PRODUCT);
    String agreement = AgreementEvents.newAgreementId();
    String license = "arn:aws:license-manager::" + SELLER + ":license:l-0123456789abcdef";
    // One AWS request: Created and License Updated share its requestId, not their ids.
    send(events.agreementCreated(Envelope.inRequest("req-1"), AgreementEvents.Role.PROPOSER,
        BUYER, agreement, "offer-1", "NEW"));
    send(events.licenseUpdated(Envelope.inRequest("req-1"), BUYER, agreement, license, "offer-1"));
    send(events.agreementAmended(BUYER, agreement, "offer-1"));
    send(events.agreementEnded(BUYER, agreement, "offer-1", "CANCELLED"));
    send(events.licenseDeprovisioned(BUYER, agreement, license, "offer-1"));
    send(new AgreementEvents("999999999999", PRODUCT_ID, PRODUCT)
        .licenseUpdated(BUYER, agreement, license, "offer-1"));
    send(events.licenseUpdated(BUYER, agreement, license, "offer-1")
        .replace("\"aws.agreement-marketplace\"", "\"aws.marketplacecatalog\""));
    send(events.licenseUpdated(BUYER, agreement, license, "offer-1")
        .replace("\"license\":{\"arn\":\"" + license + "\"}", "\"license\":{}"));
    LifecycleEventConsumer consumer = new LifecycleEventConsumer(sqs,
        new LifecycleEventSettings(queueUrl, 1, 5, Listing.of(PRODUCT, PRODUCT_ID, SELLER)),
        UNSIGNED_ACCEPTED, sink(), parked::add, EventMetrics.micrometer(registry));

    drain(consumer);

    assertThat(delivered).extracting(LifecycleEvent::action).containsExactlyInAnyOrder(
        LifecycleAction.AGREEMENT_CREATED, LifecycleAction.LICENSE_UPDATED,
        LifecycleAction.AGREEMENT_AMENDED, LifecycleAction.AGREEMENT_ENDED,
        LifecycleAction.LICENSE_DEPROVISIONED);
    assertThat(delivered).allSatisfy(e -> {
      assertThat(e.customerKey()).isEqualTo(BUYER);
      assertThat(e.awsAccountId()).isEqualTo(BUYER);
      assertThat(e.productCode()).isEqualTo(PRODUCT);
      assertThat(e.agreementId()).isEqualTo(agreement);
      assertThat(e.messageId()).isNotEqualTo("req-1");
      assertThat(e.source()).isEqualTo("sqs");
    });
    assertThat(delivered).extracting(LifecycleEvent::messageId).doesNotHaveDuplicates();
    assertThat(delivered).filteredOn(e -> e.action() == LifecycleAction.LICENSE_UPDATED)
        .singleElement().satisfies(e -> assertThat(e.licenseArn()).isEqualTo(license));
    assertThat(delivered).filteredOn(e -> e.action() == LifecycleAction.AGREEMENT_ENDED)
        .singleElement().satisfies(e -> assertThat(e.agreementDetail()).isEqualTo("CANCELLED"));
    assertThat(parked).extracting(Parking::reason)
        .containsExactlyInAnyOrder("FOREIGN_ACCOUNT", "FOREIGN_SOURCE", "MALFORMED");
    assertThat(parked).filteredOn(p -> p.reason().equals("MALFORMED")).singleElement()
        .satisfies(p -> {
          assertThat(p.detail()).contains("no LicenseArn");
          assertThat(p.customerKey()).isEqualTo(BUYER);
          assertThat(p.productCode()).isEqualTo(PRODUCT);
        });
    assertThat(registry.counter("mpconnect_lifecycle_events_delivered", "action",
        "license-updated").count()).isEqualTo(1);
    assertThat(parkedCount("FOREIGN_ACCOUNT")).isEqualTo(1);
    assertThatTheQueueIsEmpty();
  }

  @Test
  void withoutAProductId_agreementEventsAreParkedNamingTheVariable_licenseEventsApply() {
    AgreementEvents events = new AgreementEvents(SELLER, PRODUCT_ID, PRODUCT);
    send(events.agreementCreated(BUYER, "agmt-1", "offer-1"));
    send(events.licenseUpdated(BUYER, "agmt-1", "arn:aws:license-manager::1:license:l-1", null));
    LifecycleEventConsumer consumer = consumer(sink(), 5);

    drain(consumer);

    assertThat(delivered).extracting(LifecycleEvent::action)
        .containsExactly(LifecycleAction.LICENSE_UPDATED);
    assertThat(parked).singleElement().satisfies(p -> {
      assertThat(p.reason()).isEqualTo("NOT_CONFIGURED");
      assertThat(p.detail()).contains("MARKETPLACE_PRODUCT_ID");
      assertThat(p.customerKey()).isEqualTo(BUYER);
    });
    assertThatTheQueueIsEmpty();
  }

  @Test
  void whatOneReceiveHandledIsDeletedInOneBatch_whatWaitsForTemporalIsNot() {
    send(legacy("subscribe-success", "cust-1"));
    send("this is not JSON {");
    send(legacy("subscribe-success", "cust-waits"));
    send(legacy("subscribe-fail", "cust-2"));
    AtomicBoolean temporalBack = new AtomicBoolean();
    LifecycleEventConsumer consumer =
        consumer(counted, event -> {
          if (event.customerKey().equals("cust-waits") && !temporalBack.get()) {
            throw unavailable();
          }
          delivered.add(event);
        }, 5);

    assertThat(consumer.pollOnce()).as("one receive brings all four").isEqualTo(4);

    assertThat(CALLS).containsExactly("ReceiveMessage", "DeleteMessageBatch of 3");
    assertThat(delivered).extracting(LifecycleEvent::customerKey)
        .containsExactlyInAnyOrder("cust-1", "cust-2");
    assertThat(parked).extracting(Parking::reason).containsExactly("MALFORMED");
    assertThat(registry.counter("mpconnect_lifecycle_events_delivered", "action",
        "subscribe-success").count()).isEqualTo(1);
    assertThat(inQueue()).as("the message Temporal did not take, in flight").isEqualTo(1);

    temporalBack.set(true);
    CALLS.clear();
    drain(consumer);

    assertThat(delivered).extracting(LifecycleEvent::customerKey)
        .containsExactlyInAnyOrder("cust-1", "cust-2", "cust-waits");
    assertThat(CALLS).as("an empty receive deletes nothing")
        .filteredOn(c -> c.startsWith("Delete")).containsExactly("DeleteMessageBatch of 1");
    assertThatTheQueueIsEmpty();
  }

  @Test
  void aMessageTheBatchFailsToDelete_comesBackAsADuplicate() {
    send(legacy("subscribe-success", "cust-8"));
    AtomicInteger attempts = new AtomicInteger();
    LifecycleEventConsumer consumer =
        consumer(counted, event -> {
          if (attempts.incrementAndGet() == 1) {
            // Slower than the visibility timeout (1 s): another worker receives it meanwhile
            // (its long poll waits for that), so this receive's handle is stale and SQS refuses
            // that entry of the batch.
            assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(5))
                .messages()).hasSize(1);
          }
          delivered.add(event);
        }, 5);

    assertThat(consumer.pollOnce()).isEqualTo(1);
    assertThat(CALLS).containsExactly("ReceiveMessage", "DeleteMessageBatch of 1");
    assertThat(inQueue()).as("not deleted").isEqualTo(1);

    drain(consumer);

    assertThat(delivered).as("a duplicate, which the workflow ignores").hasSize(2)
        .extracting(LifecycleEvent::messageId).containsOnly(delivered.get(0).messageId());
    assertThatTheQueueIsEmpty();
  }

  @Test
  void settingsReadTheListingFromTheEnvironment() {
    LifecycleEventSettings settings = LifecycleEventSettings.from(new Env(Map.of(
        "SQS_QUEUE_URL", "http://127.0.0.1/q", "MARKETPLACE_PRODUCT_CODE", PRODUCT,
        "MARKETPLACE_PRODUCT_ID", PRODUCT_ID, "MARKETPLACE_SELLER_ACCOUNT_ID", SELLER)));
    assertThat(settings.listing().productCodes()).containsExactly(PRODUCT);
    assertThat(settings.listing().productIdToCode()).containsExactly(Map.entry(PRODUCT_ID, PRODUCT));
    assertThat(settings.listing().sellerAccountId()).isEqualTo(SELLER);
    assertThat(settings.productCodes()).containsExactly(PRODUCT);

    LifecycleEventSettings bare = LifecycleEventSettings.from(new Env(Map.of(
        "SQS_QUEUE_URL", "http://127.0.0.1/q", "MARKETPLACE_PRODUCT_CODE", PRODUCT)));
    assertThat(bare.listing().productIdToCode()).isEmpty();
    assertThat(bare.listing().sellerAccountId()).isNull();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LifecycleEventSettings.from(
        new Env(Map.of("SQS_QUEUE_URL", "q", "MARKETPLACE_PRODUCT_CODE", PRODUCT,
            "MARKETPLACE_SELLER_ACCOUNT_ID", "12345"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("MARKETPLACE_SELLER_ACCOUNT_ID");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LifecycleEventSettings.from(
        new Env(Map.of("SQS_QUEUE_URL", "q", "MARKETPLACE_PRODUCT_CODE", PRODUCT,
            "MARKETPLACE_PRODUCT_ID", "prod with spaces"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("MARKETPLACE_PRODUCT_ID");
  }

  @Test
  void whileTemporalIsUnavailable_theMessageStaysAndIsDeliveredOnceItIsBack() throws Exception {
    send(legacy("subscribe-success", "cust-5"));
    AtomicInteger attempts = new AtomicInteger();
    LifecycleEventConsumer consumer =
        consumer(event -> {
          if (attempts.incrementAndGet() <= 2) {
            throw unavailable();
          }
          delivered.add(event);
        }, 1);

    drain(consumer);

    assertThat(attempts).hasValue(3);
    assertThat(delivered).singleElement()
        .satisfies(e -> assertThat(e.customerKey()).isEqualTo("cust-5"));
    assertThat(parked).as("an outage is not the message's fault").isEmpty();
    assertThat(registry.counter("mpconnect_lifecycle_events_retried", "cause",
        "temporal_unavailable").count()).isEqualTo(2);
    assertThatTheQueueIsEmpty();
  }

  @Test
  void whenTemporalRefusesTheSignalForGood_itIsParkedAfterTheLastAttempt() throws Exception {
    send(legacy("subscribe-success", "cust-6"));
    AtomicInteger attempts = new AtomicInteger();
    LifecycleEventConsumer consumer =
        consumer(event -> {
          attempts.incrementAndGet();
          throw new WorkflowServiceException(EXECUTION, "SubscriptionWorkflow",
              Status.INVALID_ARGUMENT.withDescription("payload too large").asRuntimeException());
        }, 3);

    drain(consumer);

    assertThat(attempts).hasValue(3);
    assertThat(parked).singleElement()
        .satisfies(p -> {
          assertThat(p.reason()).isEqualTo("DELIVERY_FAILED");
          assertThat(p.detail()).contains("3 times").contains("payload too large");
          assertThat(p.customerKey()).isEqualTo("cust-6");
        });
    assertThatTheQueueIsEmpty();
  }

  @Test
  void whenTheDatabaseCannotPark_theMessageStaysUntilItCan() throws Exception {
    send("{\"broken\":");
    AtomicInteger attempts = new AtomicInteger();
    LifecycleEventConsumer consumer =
        new LifecycleEventConsumer(sqs, settings(5), UNSIGNED_ACCEPTED, sink(), parking -> {
          if (attempts.incrementAndGet() == 1) {
            throw new IllegalStateException("database away");
          }
          parked.add(parking);
        }, EventMetrics.micrometer(registry));

    drain(consumer);

    assertThat(attempts).hasValue(2);
    assertThat(parked).singleElement()
        .satisfies(p -> assertThat(p.reason()).isEqualTo("MALFORMED"));
    assertThatTheQueueIsEmpty();
  }

  @Test
  void itsThreadConsumesUntilClosed() throws Exception {
    LifecycleEventConsumer consumer = consumer(sink(), 5).start();
    try {
      send(legacy("subscribe-fail", "cust-7"));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (delivered.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } finally {
      long before = System.nanoTime();
      consumer.close();
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(delivered).singleElement()
        .satisfies(e -> assertThat(e.action()).isEqualTo(LifecycleAction.SUBSCRIBE_FAIL));
  }

  // ---- helpers

  private LifecycleEventConsumer consumer(LifecycleEventConsumer.EventSink sink, int attempts) {
    return consumer(sqs, sink, attempts);
  }

  private LifecycleEventConsumer consumer(
      SqsClient client, LifecycleEventConsumer.EventSink sink, int attempts) {
    return new LifecycleEventConsumer(client, settings(attempts), UNSIGNED_ACCEPTED, sink,
        parked::add, EventMetrics.micrometer(registry));
  }

  private LifecycleEventSettings settings(int attempts) {
    return new LifecycleEventSettings(queueUrl, 1, attempts, Set.of(PRODUCT));
  }

  private LifecycleEventConsumer.EventSink sink() {
    return delivered::add;
  }

  /** Polls until the queue has nothing left, visible or in flight (bounded). */
  private void drain(LifecycleEventConsumer consumer) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      consumer.pollOnce();
      if (inQueue() == 0) {
        return;
      }
    }
    throw new AssertionError("the queue did not drain: " + inQueue() + " left");
  }

  private int inQueue() {
    Map<QueueAttributeName, String> attributes =
        sqs.getQueueAttributes(
                r ->
                    r.queueUrl(queueUrl)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .attributes();
    return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Integer.parseInt(
            attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  private void assertThatTheQueueIsEmpty() {
    assertThat(inQueue()).isZero();
  }

  private double parkedCount(String reason) {
    return registry.counter("mpconnect_lifecycle_events_parked", "reason", reason).count();
  }

  private void send(String body) {
    sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
  }

  /** The SQS action of a request, with the number of entries of a DeleteMessageBatch. */
  private static String call(SdkRequest request) {
    if (request instanceof DeleteMessageBatchRequest batch) {
      return "DeleteMessageBatch of " + batch.entries().size();
    }
    return request.getClass().getSimpleName().replaceFirst("Request$", "");
  }

  private static RuntimeException unavailable() {
    return new WorkflowServiceException(EXECUTION, "SubscriptionWorkflow",
        Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException());
  }

  private static String legacy(String action, String customer) {
    return "{\"action\":\"" + action + "\",\"customer-identifier\":\"" + customer + "\","
        + "\"product-code\":\"" + PRODUCT + "\"}";
  }

  private static String sns(String id, String message) {
    return "{\"Type\":\"Notification\",\"MessageId\":\"" + id + "\",\"Message\":\""
        + message.replace("\"", "\\\"") + "\",\"Timestamp\":\"2026-11-26T04:00:00.000Z\"}";
  }
}
