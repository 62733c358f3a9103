package io.mpconnect.worker.events;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mpconnect.config.SnsSignatures;
import io.mpconnect.persistence.ParkedEventRepository.Parking;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.subscription.LifecycleEventParser;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Accepted;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Authenticity;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Context;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Reason;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Rejected;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Consumes the AWS Marketplace lifecycle queue: long-polls SQS, parses each message, and signals
 * the customer's subscription workflow (signal-with-start).
 *
 * <ul>
 *   <li>A message is deleted only after Temporal accepted its signal. Those of one receive are
 *       deleted together, in one DeleteMessageBatch once all of them were handled.
 *   <li>A message that can never apply (malformed, another product, an unknown action, an event
 *       type not applied automatically, an EventBridge event of another source or seller account,
 *       a message that is not AWS's: unsigned, badly signed, of another SNS topic, or from the
 *       future) is parked in {@code parked_events} with its reason, counted, and deleted: never
 *       retried forever, never lost, never signalled.
 *   <li>SNS's signing certificate unavailable: the message waits on the queue, as for Temporal.
 *   <li>Temporal unavailable: the message is left alone and comes back after the queue's
 *       visibility timeout; it is never parked for that. Temporal refusing the signal itself
 *       (invalid argument) is tried {@code maxDeliveryAttempts} times, then parked.
 *   <li>Duplicates (SQS is at-least-once) are harmless: the workflow ignores a message id it has
 *       seen, and every transition is idempotent.
 * </ul>
 *
 * Message bodies are never logged: support reads them in {@code parked_events}.
 */
public final class LifecycleEventConsumer implements Runnable, AutoCloseable {
  /** Signals Temporal; throws when Temporal did not accept the signal. */
  @FunctionalInterface
  public interface EventSink {
    void deliver(LifecycleEvent event);
  }

  /** Writes a parked message; idempotent per queue message id. */
  @FunctionalInterface
  public interface EventParking {
    void park(Parking parking);
  }

  private static final Logger log = LoggerFactory.getLogger(LifecycleEventConsumer.class);
  /** SQS's most per receive, and per DeleteMessageBatch: one receive, at most one delete call. */
  private static final int MAX_MESSAGES = 10;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** gRPC codes that mean "not now" rather than "never": the message waits on the queue. */
  private static final Set<Status.Code> TRANSIENT =
      EnumSet.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.ABORTED,
          Status.Code.INTERNAL,
          Status.Code.UNKNOWN,
          Status.Code.CANCELLED,
          // Configuration, not the message: fix it and the queue drains.
          Status.Code.UNAUTHENTICATED,
          Status.Code.PERMISSION_DENIED,
          Status.Code.NOT_FOUND);

  private final SqsClient sqs;
  private final LifecycleEventSettings settings;
  private final LifecycleEventParser parser;
  private final EventSink sink;
  private final EventParking parking;
  private final EventMetrics metrics;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private Thread thread;

  /** @param authenticity which messages are AWS's (signatures, topics, unsigned ones or not) */
  public LifecycleEventConsumer(
      SqsClient sqs,
      LifecycleEventSettings settings,
      Authenticity authenticity,
      EventSink sink,
      EventParking parking,
      EventMetrics metrics) {
    this.sqs = sqs;
    this.settings = settings;
    this.parser = new LifecycleEventParser(settings.listing(), authenticity);
    this.sink = sink;
    this.parking = parking;
    this.metrics = metrics;
  }

  /** Runs {@link #run} on its own daemon thread. */
  public synchronized LifecycleEventConsumer start() {
    if (thread == null) {
      thread = new Thread(this, "lifecycle-events");
      thread.setDaemon(true);
      thread.start();
      log.info("consuming lifecycle events from {}", settings.queueUrl());
    }
    return this;
  }

  /** Polls until {@link #close}; backs off while SQS (or the database) is away. */
  @Override
  public void run() {
    Duration backoff = Duration.ofSeconds(1);
    while (stopRequested.getCount() > 0) {
      try {
        pollOnce();
        backoff = Duration.ofSeconds(1);
      } catch (SdkException e) {
        metrics.retried("sqs_unavailable");
        log.warn("receiving from the lifecycle queue failed, retrying in {}: {}", backoff,
            e.getMessage());
        if (pause(backoff)) {
          return;
        }
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF
            : backoff.multipliedBy(2);
      } catch (RuntimeException e) {
        log.error("lifecycle event poll failed", e);
        if (pause(backoff)) {
          return;
        }
      }
    }
  }

  /** One long poll and the handling of what it received; returns how many messages came. */
  public int pollOnce() {
    List<Message> messages =
        sqs.receiveMessage(
                r ->
                    r.queueUrl(settings.queueUrl())
                        .maxNumberOfMessages(MAX_MESSAGES)
                        .waitTimeSeconds(settings.waitTimeSeconds())
                        .messageSystemAttributeNames(
                            MessageSystemAttributeName.SENT_TIMESTAMP,
                            MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
            .messages();
    List<Message> done = new ArrayList<>(messages.size());
    try {
      for (Message message : messages) {
        if (handle(message)) {
          done.add(message);
        }
      }
    } finally {
      // Also after an unexpected failure: what was delivered or parked before it is deleted.
      delete(done);
    }
    return messages.size();
  }

  /** Returns whether the message is done with (delivered or parked), to be deleted. */
  private boolean handle(Message message) {
    Context context = new Context(Context.QUEUE, message.messageId(), sentAt(message));
    LifecycleEventParser.Result result;
    try {
      result = parser.parse(message.body(), context);
    } catch (SnsSignatures.CertificateUnavailable e) {
      metrics.retried("sns_certificate_unavailable");
      log.warn("could not check the signature of message {}, it stays on the queue: {}",
          message.messageId(), e.getMessage());
      return false;
    }
    if (result instanceof Rejected rejected) {
      return park(message, rejected.reason(), rejected.detail(), rejected.productCode(),
          rejected.customerKey());
    }
    LifecycleEvent event = ((Accepted) result).event();
    try {
      sink.deliver(event);
    } catch (RuntimeException e) {
      if (isTransient(e)) {
        metrics.retried("temporal_unavailable");
        log.warn("Temporal did not take {} for {} (message {}), it stays on the queue: {}",
            event.action().wireName(), event.customerKey(), message.messageId(), rootMessage(e));
      } else if (receiveCount(message) >= settings.maxDeliveryAttempts()) {
        return park(message, Reason.DELIVERY_FAILED,
            "Temporal refused the signal " + receiveCount(message) + " times: " + rootMessage(e),
            event.productCode(), event.customerKey());
      } else {
        metrics.retried("temporal_refused");
        log.warn("Temporal refused {} for {} (message {}, receive {}): {}",
            event.action().wireName(), event.customerKey(), message.messageId(),
            receiveCount(message), rootMessage(e));
      }
      return false;
    }
    metrics.delivered(event.action().wireName());
    log.info("delivered {} for subscription {}/{} (message {})", event.action().wireName(),
        event.productCode(), event.customerKey(), message.messageId());
    return true;
  }

  /** Returns whether the message was parked, to be deleted. */
  private boolean park(
      Message message, Reason reason, String detail, String productCode, String customerKey) {
    try {
      parking.park(
          new Parking(Context.QUEUE, reason.name(), detail, message.messageId(), productCode, customerKey,
              message.body()));
    } catch (RuntimeException e) {
      // Not parked, so not deleted: it comes back after the visibility timeout.
      metrics.retried("parking_failed");
      log.error("could not park message {} ({}), it stays on the queue: {}", message.messageId(),
          reason, e.getMessage());
      return false;
    }
    metrics.parked(reason.name());
    log.warn("parked lifecycle message {}: {} ({})", message.messageId(), reason, detail);
    return true;
  }

  /**
   * One DeleteMessageBatch for the messages of one receive: each SQS call costs (AWS bills per
   * request). A message not deleted will be received again (also one whose visibility timeout ran
   * out while the rest of its receive was handled): the workflow ignores the duplicate, parking
   * writes it once.
   */
  private void delete(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    // Entry ids only need to be unique within the batch: the index maps a failure back.
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
          .receiptHandle(messages.get(i).receiptHandle()).build());
    }
    List<BatchResultErrorEntry> failed;
    try {
      failed = sqs.deleteMessageBatch(r -> r.queueUrl(settings.queueUrl()).entries(entries))
          .failed();
    } catch (SdkException e) {
      for (Message message : messages) {
        log.warn("could not delete message {}: {}", message.messageId(), e.getMessage());
      }
      return;
    }
    for (BatchResultErrorEntry entry : failed) {
      log.warn("could not delete message {}: {} {}",
          messages.get(Integer.parseInt(entry.id())).messageId(), entry.code(), entry.message());
    }
  }

  static boolean isTransient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        return TRANSIENT.contains(grpc.getStatus().getCode());
      }
    }
    return false;
  }

  private static int receiveCount(Message message) {
    String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
    try {
      return count == null ? 1 : Integer.parseInt(count);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static Instant sentAt(Message message) {
    String millis = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
    try {
      return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** Stops polling and waits (bounded) for the batch in hand to finish. */
  @Override
  public void close() {
    close(Duration.ofSeconds(settings.waitTimeSeconds() + 10L));
  }

  /**
   * Stops polling and waits at most {@code grace} for the batch in hand; then interrupts the
   * poll (a long poll can last {@code SQS_WAIT_TIME_SECONDS}). Nothing is lost by that: a message
   * is deleted only after its signal was accepted, so one cut short comes back after the queue's
   * visibility timeout, and a repeated signal is ignored by the workflow.
   */
  public void close(Duration grace) {
    stopRequested.countDown();
    Thread running;
    synchronized (this) {
      running = thread;
    }
    if (running != null) {
      try {
        running.join(Math.max(1, grace.toMillis()));
        if (running.isAlive()) {
          running.interrupt();
          running.join(500);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean pause(Duration duration) {
    try {
      return stopRequested.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
