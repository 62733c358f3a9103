package io.mpconnect.activities.notifications;

import io.mpconnect.persistence.OutboxMessage;
import io.mpconnect.persistence.OutboxRepository;
import io.mpconnect.persistence.User;
import io.mpconnect.persistence.UserRepository;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the notification outbox: claims a small batch of due messages, sends each, marks it
 * sent; a failed send is retried with exponential backoff and given up after a number of attempts
 * (the row keeps the last error for support). Delivery is at least once: a crash between sending
 * and marking sends again after the claim's lease. Several dispatchers may run at once.
 */
public final class OutboxDispatcher implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxDispatcher.class);

  /**
   * @param batchSize messages claimed at once; a dispatcher killed mid-send (kill -9) delays what
   *     it claimed by the lease, so the default claims one at a time
   * @param lease how long a claimed batch is hidden from other dispatchers; longer than sending a
   *     batch can take (see the SMTP timeouts: one message is sent within about a minute)
   */
  public record Settings(
      Duration pollInterval,
      int batchSize,
      int maxAttempts,
      Duration firstRetry,
      Duration maxRetry,
      Duration lease) {
    public static final Settings DEFAULTS =
        new Settings(
            Duration.ofSeconds(2),
            1,
            8,
            Duration.ofSeconds(30),
            Duration.ofHours(1),
            Duration.ofMinutes(2));
  }

  private final OutboxRepository outbox;
  private final UserRepository users;
  private final MailSender sender;
  private final Settings settings;
  /** Where customers reach the api (PUBLIC_BASE_URL), for the links in the mails. */
  private final String publicBaseUrl;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private Thread thread;

  public OutboxDispatcher(Jdbi jdbi, MailSender sender) {
    this(jdbi, sender, Settings.DEFAULTS);
  }

  public OutboxDispatcher(Jdbi jdbi, MailSender sender, Settings settings) {
    this(jdbi, sender, MailSenders.DEFAULT_PUBLIC_BASE_URL, settings);
  }

  /** @param publicBaseUrl how customers reach the api (PUBLIC_BASE_URL): the mails' links */
  public OutboxDispatcher(Jdbi jdbi, MailSender sender, String publicBaseUrl) {
    this(jdbi, sender, publicBaseUrl, Settings.DEFAULTS);
  }

  public OutboxDispatcher(Jdbi jdbi, MailSender sender, String publicBaseUrl, Settings settings) {
    this.publicBaseUrl = publicBaseUrl;
    this.outbox = new OutboxRepository(jdbi);
    this.users = new UserRepository(jdbi);
    this.sender = sender;
    this.settings = settings;
  }

  /** Runs {@link #run} on its own daemon thread. */
  public synchronized void start() {
    if (thread == null) {
      thread = new Thread(this, "outbox-dispatcher");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Polls until {@link #close}; a full batch is followed at once by the next one. */
  @Override
  public void run() {
    while (stopRequested.getCount() > 0) {
      int handled;
      try {
        handled = dispatchDue();
      } catch (RuntimeException e) {
        // Usually the database is away: keep polling at the normal pace until it is back.
        log.warn("outbox poll failed: {}", Redaction.withoutAddresses(e.getMessage()));
        handled = 0;
      }
      if (handled < settings.batchSize() && pause()) {
        return;
      }
    }
  }

  /** Claims and handles one batch of due messages; returns how many it handled. */
  public int dispatchDue() {
    List<OutboxMessage> batch = outbox.claimDue(settings.batchSize(), settings.lease());
    for (OutboxMessage message : batch) {
      deliver(message);
    }
    return batch.size();
  }

  /** Stops polling and waits (bounded) for the batch in hand to finish. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /** Asks the polling to stop without waiting (see {@link #close(Duration)}). */
  public void requestStop() {
    stopRequested.countDown();
  }

  /**
   * Stops polling and waits at most {@code grace} for the batch in hand. A message cut short is
   * not lost: its lease runs out and it is sent again.
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
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void deliver(OutboxMessage message) {
    if (!knows(message.kind())) {
      giveUp(message, "unknown notification kind " + message.kind());
      return;
    }
    Optional<User> recipient =
        message.recipientUserId() == null
            ? Optional.empty()
            : users.findById(message.recipientUserId());
    if (recipient.isEmpty() || recipient.get().email() == null) {
      giveUp(message, "the recipient has no e-mail address");
      return;
    }
    OutgoingEmail email = render(message, recipient.get());
    try {
      sender.send(email);
    } catch (MailDeliveryException e) {
      failed(message, e.getMessage(), e.permanent());
      return;
    } catch (RuntimeException e) {
      failed(message, e.getClass().getSimpleName() + ": " + e.getMessage(), false);
      return;
    }
    outbox.markSent(message.id());
    log.info("sent the {} (outbox message {})", email.summary(), message.id());
  }

  private static boolean knows(String kind) {
    return ConfirmationEmail.KIND.equals(kind)
        || SubscriptionNoticeEmail.handles(kind)
        || ReminderEmail.KIND.equals(kind)
        || AbandonmentEmail.KIND.equals(kind);
  }

  private OutgoingEmail render(OutboxMessage message, User recipient) {
    String vendor = sender.vendorName();
    String to = recipient.email();
    String name = recipient.displayName();
    if (SubscriptionNoticeEmail.handles(message.kind())) {
      return SubscriptionNoticeEmail.render(message.kind(), vendor, to, name, message.payload());
    }
    return switch (message.kind()) {
      case ReminderEmail.KIND ->
          ReminderEmail.render(vendor, publicBaseUrl, to, name, message.payload());
      case AbandonmentEmail.KIND -> AbandonmentEmail.render(vendor, to, name, message.payload());
      default -> ConfirmationEmail.render(vendor, to, name, message.payload());
    };
  }

  private void failed(OutboxMessage message, String error, boolean permanent) {
    String safe = Redaction.withoutAddresses(error);
    if (permanent) {
      giveUp(message, safe);
      return;
    }
    boolean gaveUp =
        outbox.recordFailure(
            message.id(), safe, retryDelay(message.attempts()), settings.maxAttempts());
    if (gaveUp) {
      log.error(
          "gave up outbox message {} after {} attempts: {}",
          message.id(),
          settings.maxAttempts(),
          safe);
    } else {
      log.warn(
          "outbox message {} failed (attempt {}), will retry: {}",
          message.id(),
          message.attempts() + 1,
          safe);
    }
  }

  private void giveUp(OutboxMessage message, String error) {
    outbox.giveUp(message.id(), error);
    log.error("gave up outbox message {}: {}", message.id(), error);
  }

  /** firstRetry, doubled per earlier attempt, at most maxRetry. */
  Duration retryDelay(int earlierAttempts) {
    Duration delay = settings.firstRetry().multipliedBy(1L << Math.min(earlierAttempts, 20));
    return delay.compareTo(settings.maxRetry()) > 0 ? settings.maxRetry() : delay;
  }

  /** Sleeps one poll interval; true when asked to stop meanwhile. */
  private boolean pause() {
    try {
      return stopRequested.await(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
