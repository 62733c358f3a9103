package io.mpconnect.activities.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.mpconnect.activities.accounts.TestDatabase;
import io.mpconnect.persistence.OutboxMessage;
import io.mpconnect.persistence.OutboxRepository;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxDispatcherTest {
  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  /** Retries due at once, so a test can dispatch again without waiting. */
  private static final OutboxDispatcher.Settings IMMEDIATE_RETRIES =
      new OutboxDispatcher.Settings(
          Duration.ofMillis(50), 5, 3, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(15));

  private final NotificationActivitiesImpl notifications =
      new NotificationActivitiesImpl(db.jdbi());
  private final OutboxRepository outbox = new OutboxRepository(db.jdbi());
  private final Fixtures fixtures = new Fixtures(db.jdbi());

  @Test
  void dispatch_deliversConfirmationBySmtp_exactlyOnce_andMarksItSent() throws Exception {
    notifications.enqueueConfirmation(fixtures.confirmation("onb-smtp", "owner@example.com"));
    OutboxDispatcher dispatcher = new OutboxDispatcher(db.jdbi(), smtp(), IMMEDIATE_RETRIES);

    dispatcher.dispatchDue();
    dispatcher.dispatchDue();

    MimeMessage[] received = greenMail.getReceivedMessages();
    assertThat(received).hasSize(1);
    assertThat(received[0].getAllRecipients()[0].toString()).isEqualTo("owner@example.com");
    assertThat(received[0].getFrom()[0].toString())
        .contains("Demo SaaS")
        .contains("billing@vendor.test");
    assertThat(received[0].getSubject())
        .isEqualTo("\"Acme Analytics\" is now connected to AWS Marketplace");
    assertThat(GreenMailUtil.getBody(received[0]))
        .contains("Hello Olivia Owner,")
        .contains("123456789012")
        .contains("now runs through AWS Marketplace")
        .contains("Next steps");
    OutboxMessage row = outbox.findByDedupeKey("confirmation:onb-smtp").orElseThrow();
    assertThat(row.sentAt()).isNotNull();
    assertThat(row.attempts()).isZero();
  }

  @Test
  void dispatch_deliversTheReminderWithTheLinkBackToTheSignupPage() throws Exception {
    notifications.enqueueReminder(fixtures.reminder("onb-remind-smtp", "late@example.com"));
    OutboxDispatcher dispatcher =
        new OutboxDispatcher(db.jdbi(), smtp(), "https://signup.vendor.test/", IMMEDIATE_RETRIES);

    dispatcher.dispatchDue();

    MimeMessage[] received = greenMail.getReceivedMessages();
    assertThat(received).hasSize(1);
    assertThat(received[0].getAllRecipients()[0].toString()).isEqualTo("late@example.com");
    assertThat(received[0].getSubject())
        .isEqualTo("Finish connecting Demo SaaS to AWS Marketplace");
    assertThat(GreenMailUtil.getBody(received[0]).replace("\r\n", "\n"))
        .startsWith("Hello Olivia Owner,\n\nyou signed in to Demo SaaS from AWS Marketplace")
        .contains("(AWS account 123456789012)")
        .contains("\n\nhttps://signup.vendor.test/signup/onb-remind-smtp\n\n")
        .contains("The link works until 2026-12-04 06:30 UTC.")
        .contains("Nothing is connected or charged until you choose.")
        .endsWith("The Demo SaaS team");
    assertThat(outbox.findByDedupeKey("reminder:onb-remind-smtp:1").orElseThrow().sentAt())
        .isNotNull();
  }

  @Test
  void dispatch_deliversTheAbandonmentNotice() throws Exception {
    notifications.enqueueAbandonmentNotice(
        fixtures.abandonment("onb-gone-smtp", "gone@example.com"));

    new OutboxDispatcher(db.jdbi(), smtp(), IMMEDIATE_RETRIES).dispatchDue();

    MimeMessage[] received = greenMail.getReceivedMessages();
    assertThat(received).hasSize(1);
    assertThat(received[0].getAllRecipients()[0].toString()).isEqualTo("gone@example.com");
    assertThat(received[0].getSubject())
        .isEqualTo("Your Demo SaaS sign-up from AWS Marketplace has ended");
    assertThat(GreenMailUtil.getBody(received[0]).replace("\r\n", "\n"))
        .contains("(AWS account 123456789012)")
        .contains("Nothing was connected and nothing has been charged.")
        .contains("click \"Set up your\naccount\" next to Demo SaaS: AWS gives you a fresh link");
  }

  @Test
  void aDispatcherKilledMidSend_holdsBackOnlyTheMessageInHand_andOnlyForTheLease() {
    for (String id : new String[] {"onb-kill-1", "onb-kill-2", "onb-kill-3"}) {
      notifications.enqueueConfirmation(fixtures.confirmation(id, id + "@example.com"));
    }
    OutboxDispatcher.Settings defaults = OutboxDispatcher.Settings.DEFAULTS;
    // What a dispatcher killed with kill -9 right after its claim leaves behind.
    assertThat(outbox.claimDue(defaults.batchSize(), defaults.lease())).hasSize(1);
    assertThat(defaults.lease()).isLessThanOrEqualTo(Duration.ofMinutes(2));

    OutboxDispatcher survivor = new OutboxDispatcher(db.jdbi(), smtp(), defaults);
    int sent = 0;
    for (int handled; (handled = survivor.dispatchDue()) > 0; ) {
      sent += handled;
    }
    assertThat(sent).isEqualTo(2);
    assertThat(greenMail.getReceivedMessages()).hasSize(2);
  }

  @Test
  void failedSend_isRetried_thenDeliveredAndMarkedSent() throws Exception {
    notifications.enqueueConfirmation(fixtures.confirmation("onb-retry", "retry@example.com"));
    AtomicInteger calls = new AtomicInteger();
    MailSender smtp = smtp();
    MailSender failingOnce =
        new MailSender() {
          @Override
          public String vendorName() {
            return smtp.vendorName();
          }

          @Override
          public void send(OutgoingEmail email) throws MailDeliveryException {
            if (calls.incrementAndGet() == 1) {
              throw new RuntimeException("421 try again later, <retry@example.com>");
            }
            smtp.send(email);
          }
        };
    OutboxDispatcher dispatcher = new OutboxDispatcher(db.jdbi(), failingOnce, IMMEDIATE_RETRIES);

    dispatcher.dispatchDue();

    OutboxMessage afterFailure = outbox.findByDedupeKey("confirmation:onb-retry").orElseThrow();
    assertThat(afterFailure.sentAt()).isNull();
    assertThat(afterFailure.attempts()).isEqualTo(1);
    assertThat(afterFailure.lastError())
        .contains("try again later")
        .doesNotContain("retry@example.com");
    assertThat(greenMail.getReceivedMessages()).isEmpty();

    dispatcher.dispatchDue();

    assertThat(greenMail.getReceivedMessages()).hasSize(1);
    assertThat(outbox.findByDedupeKey("confirmation:onb-retry").orElseThrow().sentAt()).isNotNull();
  }

  @Test
  void unreachableSmtpServer_isRetriedUntilMaxAttempts_thenGivenUpWithTheError() throws Exception {
    notifications.enqueueConfirmation(fixtures.confirmation("onb-down", "down@example.com"));
    MailSender nowhere =
        new SmtpMailSender(
            new SmtpSettings("127.0.0.1", closedPort(), null, null, "billing@vendor.test", false),
            "Demo SaaS");
    OutboxDispatcher dispatcher = new OutboxDispatcher(db.jdbi(), nowhere, IMMEDIATE_RETRIES);

    for (int i = 0; i < IMMEDIATE_RETRIES.maxAttempts() + 1; i++) {
      dispatcher.dispatchDue();
    }

    OutboxMessage row = outbox.findByDedupeKey("confirmation:onb-down").orElseThrow();
    assertThat(row.attempts()).isEqualTo(IMMEDIATE_RETRIES.maxAttempts());
    assertThat(row.failedAt()).isNotNull();
    assertThat(row.sentAt()).isNull();
    assertThat(row.lastError()).contains("SMTP delivery to 127.0.0.1");
  }

  @Test
  void requiredStartTls_refusesAServerWithoutIt() throws Exception {
    notifications.enqueueConfirmation(fixtures.confirmation("onb-tls", "tls@example.com"));
    MailSender requiresTls =
        new SmtpMailSender(
            new SmtpSettings(
                "127.0.0.1",
                greenMail.getSmtp().getPort(),
                null,
                null,
                "billing@vendor.test",
                true),
            "Demo SaaS");

    new OutboxDispatcher(db.jdbi(), requiresTls, IMMEDIATE_RETRIES).dispatchDue();

    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertThat(outbox.findByDedupeKey("confirmation:onb-tls").orElseThrow().lastError())
        .containsIgnoringCase("STARTTLS");
  }

  @Test
  void startedDispatcher_deliversInTheBackground_andStopsOnClose() throws Exception {
    OutboxDispatcher dispatcher = new OutboxDispatcher(db.jdbi(), smtp(), IMMEDIATE_RETRIES);
    dispatcher.start();
    try {
      notifications.enqueueConfirmation(fixtures.confirmation("onb-background", "bg@example.com"));

      assertThat(greenMail.waitForIncomingEmail(10_000, 1)).isTrue();
    } finally {
      long before = System.nanoTime();
      dispatcher.close();
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(outbox.findByDedupeKey("confirmation:onb-background").orElseThrow().sentAt())
        .isNotNull();
  }

  @Test
  void recipientWithoutAddress_isGivenUpAtOnce() {
    ConfirmationRequest request = fixtures.confirmation("onb-noaddress", null);
    notifications.enqueueConfirmation(request);

    new OutboxDispatcher(db.jdbi(), smtp(), IMMEDIATE_RETRIES).dispatchDue();

    OutboxMessage row = outbox.findByDedupeKey("confirmation:onb-noaddress").orElseThrow();
    assertThat(row.failedAt()).isNotNull();
    assertThat(row.lastError()).contains("no e-mail address");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void retryDelay_doublesPerAttempt_upToTheMaximum() {
    OutboxDispatcher dispatcher =
        new OutboxDispatcher(
            db.jdbi(),
            smtp(),
            new OutboxDispatcher.Settings(
                Duration.ofSeconds(1),
                5,
                8,
                Duration.ofSeconds(30),
                Duration.ofMinutes(5),
                Duration.ofMinutes(15)));

    assertThat(dispatcher.retryDelay(0)).isEqualTo(Duration.ofSeconds(30));
    assertThat(dispatcher.retryDelay(2)).isEqualTo(Duration.ofMinutes(2));
    assertThat(dispatcher.retryDelay(30)).isEqualTo(Duration.ofMinutes(5));
  }

  private static MailSender smtp() {
    return new SmtpMailSender(
        new SmtpSettings(
            "127.0.0.1", greenMail.getSmtp().getPort(), null, null, "billing@vendor.test", false),
        "Demo SaaS");
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
