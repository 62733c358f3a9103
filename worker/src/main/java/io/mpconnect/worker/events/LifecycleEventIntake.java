package io.mpconnect.worker.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.mpconnect.config.Env;
import io.mpconnect.config.EventTrustSettings;
import io.mpconnect.config.SnsSignatures;
import io.mpconnect.persistence.ParkedEventRepository;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Authenticity;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Wires the lifecycle queue consumer of the worker process; off when SQS_QUEUE_URL is unset. */
public final class LifecycleEventIntake implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LifecycleEventIntake.class);

  private final SqsClient sqs;
  private final SnsSignatures signatures;
  private final LifecycleEventConsumer consumer;

  private LifecycleEventIntake(
      SqsClient sqs, SnsSignatures signatures, LifecycleEventConsumer consumer) {
    this.sqs = sqs;
    this.signatures = signatures;
    this.consumer = consumer;
  }

  /** @param signals the worker's way into subscriptions (it maps legacy identifiers to accounts) */
  public static LifecycleEventIntake create(
      Env env, SubscriptionSignals signals, Jdbi jdbi, MeterRegistry registry) {
    LifecycleEventSettings settings = LifecycleEventSettings.from(env);
    if (settings == null) {
      log.warn("SQS_QUEUE_URL is not set: no AWS Marketplace lifecycle events are consumed (paid"
          + " plans wait for subscribe-success; inject events with POST /admin/marketplace/events)");
      return new LifecycleEventIntake(null, null, null);
    }
    if (settings.listing().productIdToCode().isEmpty()) {
      log.warn("MARKETPLACE_PRODUCT_ID is not set: AWS's Purchase Agreement events cannot be matched"
          + " to the listing and are parked (NOT_CONFIGURED); License events still apply");
    }
    if (settings.listing().sellerAccountId() == null) {
      log.warn("MARKETPLACE_SELLER_ACCOUNT_ID is not set: the account of EventBridge events is not"
          + " checked");
    }
    EventTrustSettings trust =
        EventTrustSettings.from(env, env.required("MARKETPLACE_PRODUCT_CODE"));
    trust.warnings().forEach(log::warn);
    SnsSignatures signatures = SnsSignatures.create(trust);
    SqsClient sqs = SqsClients.create(env);
    ParkedEventRepository parked = new ParkedEventRepository(jdbi);
    return new LifecycleEventIntake(
        sqs,
        signatures,
        new LifecycleEventConsumer(
            sqs, settings,
            Authenticity.of(trust.acceptUnsigned(), trust.snsTopicArns(), signatures::problem),
            signals::deliver, parked::park, EventMetrics.micrometer(registry)));
  }

  public void start() {
    if (consumer != null) {
      consumer.start();
    }
  }

  @Override
  public void close() {
    close(java.time.Duration.ofSeconds(30));
  }

  /** Stops the intake, waiting at most {@code grace} for the messages in hand. */
  public void close(java.time.Duration grace) {
    if (consumer != null) {
      consumer.close(grace);
      sqs.close();
      signatures.close();
    }
  }
}
