package io.mpconnect.devmode;

import io.mpconnect.config.Env;
import io.mpconnect.standins.sqs.LocalSqs;
import io.mpconnect.worker.events.SqsClients;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The developer mode's AWS Marketplace lifecycle queue: an in-process SQS (ElasticMQ) with one
 * queue, which the worker consumes exactly as it would consume the real one. With auto-subscribe,
 * every customer the metering stand-in resolves gets an SNS-wrapped subscribe-success on the
 * queue, as AWS sends one around a registration; without it, nothing activates a paid plan until
 * an event is injected by hand (see the banner).
 */
final class DevLifecycleQueue implements AutoCloseable {
  static final String QUEUE_NAME = "mpconnect-lifecycle-events";
  private static final Logger log = LoggerFactory.getLogger(DevLifecycleQueue.class);

  private final LocalSqs server;
  private final SqsClient client;
  private final String queueUrl;

  private DevLifecycleQueue(LocalSqs server, SqsClient client, String queueUrl) {
    this.server = server;
    this.client = client;
    this.queueUrl = queueUrl;
  }

  static DevLifecycleQueue start(int port) {
    LocalSqs server = LocalSqs.start(port);
    SqsClient client =
        SqsClients.create(
            new Env(
                Map.of(
                    SqsClients.ENDPOINT_VARIABLE, server.endpoint().toString(),
                    "AWS_ACCESS_KEY_ID", "devmode",
                    "AWS_SECRET_ACCESS_KEY", "devmode")));
    String queueUrl = client.createQueue(r -> r.queueName(QUEUE_NAME)).queueUrl();
    return new DevLifecycleQueue(server, client, queueUrl);
  }

  String endpoint() {
    return server.endpoint().toString();
  }

  String queueUrl() {
    return queueUrl;
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
    client.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
    log.info("devmode: sent subscribe-success for AWS account {} to the lifecycle queue",
        awsAccountId);
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
