package io.mpconnect.devmode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mpconnect.config.Env;
import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.standins.events.AgreementEvents.Envelope;
import io.mpconnect.standins.events.AgreementEvents.Role;
import io.mpconnect.standins.metering.MarketplaceCustomer;
import io.mpconnect.standins.sqs.LocalSqs;
import io.mpconnect.worker.events.SqsClients;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The developer mode's AWS Marketplace lifecycle queue: an in-process SQS (ElasticMQ) with one
 * queue, which the worker consumes exactly as it would consume the real one. With auto-subscribe,
 * every customer the metering stand-in resolves gets on the queue what AWS sends around a
 * registration ({@link #customerResolved}):
 *
 * <ul>
 *   <li>on AWS's current model (a {@code demo-} token: a LicenseArn, no CustomerIdentifier), the
 *       EventBridge events {@code Purchase Agreement Created - Proposer} (intent NEW) and {@code
 *       License Updated - Manufacturer}, one agreement, the resolved LicenseArn, once per license;
 *   <li>on the legacy model (a {@code legacy-} token: a CustomerIdentifier, no LicenseArn), an
 *       SNS-wrapped {@code subscribe-success}.
 * </ul>
 *
 * Without auto-subscribe nothing activates a paid plan until an event is injected by hand (see the
 * banner). Either way, for each current-model license resolved it writes the bodies of the
 * license's events (created, license updated, amended, ended, deprovisioned) to {@link
 * #handEventsDirectory()}, for {@code POST /admin/marketplace/events} by hand.
 */
final class DevLifecycleQueue implements AutoCloseable {
  static final String QUEUE_NAME = "mpconnect-lifecycle-events";
  /** The public offer of the demo listing. */
  static final String DEMO_OFFER_ID = "offer-demo0public0";
  static final String AGREEMENT_CREATED_FILE = "agreement-created.json";
  static final String LICENSE_UPDATED_FILE = "license-updated.json";
  static final String AGREEMENT_AMENDED_FILE = "agreement-amended.json";
  static final String AGREEMENT_ENDED_FILE = "agreement-ended.json";
  static final String LICENSE_DEPROVISIONED_FILE = "license-deprovisioned.json";
  private static final Logger log = LoggerFactory.getLogger(DevLifecycleQueue.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LocalSqs server;
  private final SqsClient client;
  private final String queueUrl;
  private final AgreementEvents events;
  private final Path handEvents;
  private final boolean autoSubscribe;
  private final Set<String> announcedLicenses = new HashSet<>();

  private DevLifecycleQueue(
      LocalSqs server, SqsClient client, String queueUrl, AgreementEvents events,
      Path handEvents, boolean autoSubscribe) {
    this.server = server;
    this.client = client;
    this.queueUrl = queueUrl;
    this.events = events;
    this.handEvents = handEvents;
    this.autoSubscribe = autoSubscribe;
  }

  /**
   * @param events the demo listing's EventBridge events (seller account, product id and code)
   * @param handEvents where the bodies of the latest license's events are written
   * @param autoSubscribe whether resolved customers get AWS's events on the queue
   */
  static DevLifecycleQueue start(
      int port, AgreementEvents events, Path handEvents, boolean autoSubscribe) {
    LocalSqs server = LocalSqs.start(port);
    SqsClient client =
        SqsClients.create(
            new Env(
                Map.of(
                    SqsClients.ENDPOINT_VARIABLE, server.endpoint().toString(),
                    "AWS_ACCESS_KEY_ID", "devmode",
                    "AWS_SECRET_ACCESS_KEY", "devmode")));
    String queueUrl = client.createQueue(r -> r.queueName(QUEUE_NAME)).queueUrl();
    return new DevLifecycleQueue(server, client, queueUrl, events, handEvents, autoSubscribe);
  }

  String endpoint() {
    return server.endpoint().toString();
  }

  String queueUrl() {
    return queueUrl;
  }

  /** Where {@link #AGREEMENT_ENDED_FILE} and the other by-hand bodies are written. */
  Path handEventsDirectory() {
    return handEvents;
  }

  boolean autoSubscribe() {
    return autoSubscribe;
  }

  /**
   * What AWS sends around the registration of this customer, in the customer's model (only with
   * auto-subscribe); for a current-model license, also the by-hand bodies of its events.
   */
  void customerResolved(MarketplaceCustomer customer) {
    if (customer.currentModel()) {
      String agreementId = agreementIdOf(customer.licenseArn());
      writeHandEvents(customer.awsAccountId(), agreementId, customer.licenseArn());
      if (autoSubscribe) {
        sendLicenseGranted(customer.awsAccountId(), customer.licenseArn());
      }
    } else if (autoSubscribe) {
      sendSubscribeSuccess(
          customer.productCode(), customer.awsAccountId(), customer.customerIdentifier());
    }
  }

  /**
   * AWS's current model: {@code Purchase Agreement Created - Proposer} (intent NEW) then {@code
   * License Updated - Manufacturer} for the license's agreement, in one request (they share a
   * {@code requestId}, each has its own envelope id), sent with one SendMessageBatch. AWS sends
   * them once per agreement, not per registration: a token resolved again (a refresh, a double
   * POST) sends nothing more.
   */
  void sendLicenseGranted(String awsAccountId, String licenseArn) {
    synchronized (announcedLicenses) {
      if (!announcedLicenses.add(licenseArn)) {
        return;
      }
    }
    String agreementId = agreementIdOf(licenseArn);
    String request = UUID.randomUUID().toString();
    Instant now = Instant.now();
    sendBatch(
        entry("agreement-created", events.agreementCreated(new Envelope(null, now, request),
            Role.PROPOSER, awsAccountId, agreementId, DEMO_OFFER_ID, "NEW")),
        entry("license-updated", events.licenseUpdated(new Envelope(null, now, request),
            awsAccountId, agreementId, licenseArn, DEMO_OFFER_ID)));
    log.info("devmode: sent Purchase Agreement Created and License Updated for AWS account {}"
        + " (agreement {}, license {}) to the lifecycle queue", awsAccountId, agreementId,
        licenseArn);
  }

  /** Puts AWS's subscribe-success for the customer on the queue, wrapped as SNS delivers it. */
  void sendSubscribeSuccess(String productCode, String awsAccountId, String customerIdentifier) {
    String customer =
        customerIdentifier != null
            ? "\"customer-identifier\":\"" + customerIdentifier + "\""
            : "\"customer-aws-account-id\":\"" + awsAccountId + "\"";
    String message =
        "{\"action\":\"subscribe-success\"," + customer + ",\"product-code\":\"" + productCode
            + "\"}";
    String body =
        "{\"Type\":\"Notification\",\"MessageId\":\"" + UUID.randomUUID()
            + "\",\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:devmode-subscriptions\","
            + "\"Message\":\"" + message.replace("\"", "\\\"") + "\",\"Timestamp\":\""
            + Instant.now() + "\"}";
    send(body);
    log.info("devmode: sent subscribe-success for AWS account {} to the lifecycle queue",
        awsAccountId);
  }

  /**
   * The agreement id the developer mode gives a license: derived from its LicenseArn, so the same
   * license always belongs to the same agreement (across restarts too).
   */
  static String agreementIdOf(String licenseArn) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(licenseArn.getBytes(StandardCharsets.UTF_8));
      String digits = new BigInteger(1, hash).toString(36);
      return "agmt-" + (digits + "0".repeat(25)).substring(0, 25);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /**
   * The latest license's events, each with its own envelope id (posted twice, the second is a
   * duplicate the subscription ignores) and without {@code time}: an event injected by hand
   * happens when it is posted (a recorded time would make an ended agreement's final hour already
   * over by then).
   */
  private void writeHandEvents(String awsAccountId, String agreementId, String licenseArn) {
    try {
      Files.createDirectories(handEvents);
      String request = UUID.randomUUID().toString();
      Files.writeString(handEvents.resolve(AGREEMENT_CREATED_FILE),
          withoutTime(events.agreementCreated(Envelope.inRequest(request), Role.PROPOSER,
              awsAccountId, agreementId, DEMO_OFFER_ID, "NEW")));
      Files.writeString(handEvents.resolve(LICENSE_UPDATED_FILE),
          withoutTime(events.licenseUpdated(Envelope.inRequest(request), awsAccountId,
              agreementId, licenseArn, DEMO_OFFER_ID)));
      Files.writeString(handEvents.resolve(AGREEMENT_AMENDED_FILE),
          withoutTime(events.agreementAmended(awsAccountId, agreementId, DEMO_OFFER_ID)));
      Files.writeString(handEvents.resolve(AGREEMENT_ENDED_FILE),
          withoutTime(
              events.agreementEnded(awsAccountId, agreementId, DEMO_OFFER_ID, "CANCELLED")));
      Files.writeString(handEvents.resolve(LICENSE_DEPROVISIONED_FILE),
          withoutTime(events.licenseDeprovisioned(awsAccountId, agreementId, licenseArn,
              DEMO_OFFER_ID)));
    } catch (IOException e) {
      log.warn("devmode: could not write the by-hand events to {}: {}", handEvents, e.toString());
    }
  }

  private static String withoutTime(String event) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(event);
      node.remove("time");
      return node.toString() + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("AgreementEvents wrote no JSON object", e);
    }
  }

  private void send(String body) {
    client.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
  }

  /**
   * One call for several messages (each SQS call costs CPU here, and a request in AWS's bill);
   * a failed entry throws as {@link #send} would.
   */
  private void sendBatch(SendMessageBatchRequestEntry... entries) {
    List<BatchResultErrorEntry> failed =
        client.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries)).failed();
    if (!failed.isEmpty()) {
      BatchResultErrorEntry first = failed.get(0);
      throw SqsException.builder()
          .message("SendMessageBatch failed for " + failed.size() + " of " + entries.length
              + " entries, first " + first.id() + ": " + first.code() + " " + first.message())
          .build();
    }
  }

  private static SendMessageBatchRequestEntry entry(String id, String body) {
    return SendMessageBatchRequestEntry.builder().id(id).messageBody(body).build();
  }

  @Override
  public void close() {
    client.close();
    // Bounded: the developer mode exits within 10 s of Ctrl+C / SIGTERM.
    server.close(java.time.Duration.ofSeconds(2));
  }
}
