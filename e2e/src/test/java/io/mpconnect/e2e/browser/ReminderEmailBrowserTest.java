package io.mpconnect.e2e.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.mpconnect.e2e.browser.JourneyEnvironment.Person;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.persistence.Plan;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The reminder e-mails, end to end: the developer mode with reminders 5 s and 10 s after the
 * sign-in and a 25 s choice timeout, its worker sending to a local SMTP server (GreenMail), and a
 * customer in headless Chromium. A customer who waits at the organization chooser gets the
 * reminders, whose link opens the chooser again (in another browser after signing in); one who
 * connects at once gets none; one who never chooses gets both and then the abandonment notice. The worker's outbox
 * dispatcher polls every 2 s, so a mail arrives within a few seconds of its timer.
 */
class ReminderEmailBrowserTest extends BrowserJourneys {
  static final Duration FIRST_REMINDER = Duration.ofSeconds(5);
  static final Duration SECOND_REMINDER = Duration.ofSeconds(10);
  static final Duration CHOICE_TIMEOUT = Duration.ofSeconds(25);
  /** The outbox dispatcher's poll (2 s), SMTP and a loaded machine's scheduling. */
  static final Duration DELIVERY = Duration.ofSeconds(15);
  static final String REMINDER_SUBJECT = "Finish connecting Demo SaaS to AWS Marketplace";
  static final String ABANDONED_SUBJECT = "Your Demo SaaS sign-up from AWS Marketplace has ended";
  static final String CONFIRMATION_SUBJECT =
      "\"Acme Analytics\" is now connected to AWS Marketplace";
  static final Pattern SIGNUP_LINK = Pattern.compile("(http://\\S+/signup/[0-9a-f]{32})\\s");

  static GreenMail mail;

  @Override
  String axeReport() {
    return "reminder-emails.md";
  }

  @Override
  Map<String, String> settings() {
    // Port 0: GreenMail binds any free port; getSmtp().getPort() says which.
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    return Map.of(
        "ONBOARDING_REMINDERS", FIRST_REMINDER.toSeconds() + "s," + SECOND_REMINDER.toSeconds() + "s",
        "ONBOARDING_CHOICE_TIMEOUT", CHOICE_TIMEOUT.toSeconds() + "s",
        "SMTP_HOST", "127.0.0.1",
        "SMTP_PORT", Integer.toString(mail.getSmtp().getPort()),
        "SMTP_FROM", "onboarding@e2e.invalid",
        "SMTP_STARTTLS", "false");
  }

  @AfterAll
  void stopMail() {
    if (mail != null) {
      mail.stop();
    }
  }

  @Test
  void aCustomerWaitingAtTheChooserIsRemindedWithALinkBackToIt() {
    Person customer = newCustomer("Rita Reminded");
    String signupUrl = signInAndReachTheChooser(customer);

    MimeMessage reminder = awaitMail(customer, REMINDER_SUBJECT, 1, FIRST_REMINDER.plus(DELIVERY));
    assertThat(subject(reminder)).isEqualTo(REMINDER_SUBJECT);
    String text = text(reminder);
    assertThat(text)
        .startsWith("Hello Rita Reminded,")
        .contains("have not chosen")
        .contains("Nothing is connected or charged until you choose.");
    Matcher link = SIGNUP_LINK.matcher(text);
    assertThat(link.find()).as("a link to the sign-up page in:\n" + text).isTrue();
    assertThat(link.group(1)).isEqualTo(signupUrl).startsWith(env.baseUrl + "/signup/");

    // The link opens the chooser again in the browser the customer signed up with, and in
    // another one (the mail read on a phone) after signing in again.
    page.navigate("about:blank");
    page.navigate(link.group(1));
    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.getByLabel(Pattern.compile("^Acme Analytics"))).isEnabled();
    open(phone());
    page.navigate(link.group(1));
    assertThat(heading()).hasText("Sign in to continue");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(customer);
    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.getByLabel(Pattern.compile("^Acme Analytics"))).isEnabled();
    shot("reminder-link-in-another-browser");

    // The second reminder follows; then the customer connects, and nothing more is sent.
    awaitMail(customer, REMINDER_SUBJECT, 2, SECOND_REMINDER.plus(DELIVERY));
    connect();
    awaitMail(customer, CONFIRMATION_SUBJECT, 1, DELIVERY);
    Waits.sleep(Duration.ofSeconds(5));
    assertThat(mailsTo(customer, REMINDER_SUBJECT)).hasSize(2);
    assertThat(mailsTo(customer, ABANDONED_SUBJECT)).isEmpty();
  }

  @Test
  void aCustomerWhoConnectsBeforeTheFirstReminderGetsNone() {
    Person customer = newCustomer("Connie Quick");
    signInAndReachTheChooser(customer);
    long signedIn = System.nanoTime();
    connect();
    assertThat(Duration.ofNanos(System.nanoTime() - signedIn))
        .as("connected before the first reminder was due")
        .isLessThan(FIRST_REMINDER);

    // The confirmation arrives (so mail to this customer is delivered) ...
    awaitMail(customer, CONFIRMATION_SUBJECT, 1, DELIVERY);
    // ... and past both reminders' times and the dispatcher's next polls, no reminder.
    Duration pastBoth = SECOND_REMINDER.plusSeconds(8).minusNanos(System.nanoTime() - signedIn);
    if (!pastBoth.isNegative()) {
      Waits.sleep(pastBoth);
    }
    assertThat(mailsTo(customer, REMINDER_SUBJECT)).isEmpty();
    assertThat(mailsTo(customer, ABANDONED_SUBJECT)).isEmpty();
  }

  @Test
  void aCustomerWhoNeverChoosesGetsBothRemindersThenTheAbandonmentNotice() {
    Person customer = newCustomer("Abe Andoned");
    signInAndReachTheChooser(customer);

    MimeMessage notice =
        awaitMail(customer, ABANDONED_SUBJECT, 1, CHOICE_TIMEOUT.plus(DELIVERY));
    assertThat(text(notice))
        .startsWith("Hello Abe Andoned,")
        .contains("no organization was\nchosen in time")
        .contains("Nothing was connected and nothing has been charged.")
        .contains("click \"Set up your\naccount\" next to Demo SaaS: AWS gives you a fresh link");
    assertThat(mailsTo(customer, REMINDER_SUBJECT)).as("both reminders came first").hasSize(2);
    Waits.sleep(Duration.ofSeconds(5));
    assertThat(mailsTo(customer, REMINDER_SUBJECT)).as("none after the end").hasSize(2);
    assertThat(mailsTo(customer, ABANDONED_SUBJECT)).hasSize(1);
  }

  // ---- helpers ----

  /** A new person who owns a Starter organization, "Acme Analytics", the chooser preselects. */
  private Person newCustomer(String name) {
    Person customer = env.person(name);
    env.organization("Acme Analytics", Plan.STARTER, customer);
    return customer;
  }

  /** Subscribes as a new AWS account, signs in as the customer; the chooser's URL. */
  private String signInAndReachTheChooser(Person customer) {
    setUpYourAccount(JourneyEnvironment.awsAccount());
    String signupUrl = page.url();
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(customer);
    assertThat(heading()).hasText("Choose an organization");
    assertThat(page).hasURL(signupUrl);
    return signupUrl;
  }

  /** Connects the organization the chooser preselected. */
  private void connect() {
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS"))
        .click();
    assertThat(heading()).hasText(SignupJourneyBrowserTest.CONNECTED_HEADING);
  }

  /** Waits for the {@code count}th mail to the customer with this subject, and returns it. */
  private static MimeMessage awaitMail(
      Person customer, String subject, int count, Duration timeout) {
    Waits.until(
        count + " mail(s) \"" + subject + "\" to " + customer.email(),
        timeout,
        () -> mailsTo(customer, subject).size() >= count);
    return mailsTo(customer, subject).get(count - 1);
  }

  private static List<MimeMessage> mailsTo(Person customer, String subject) {
    return Arrays.stream(mail.getReceivedMessages())
        .filter(m -> recipient(m).equals(customer.email()))
        .filter(m -> subject(m).equals(subject))
        .toList();
  }

  private static String recipient(MimeMessage message) {
    try {
      return message.getAllRecipients()[0].toString();
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String subject(MimeMessage message) {
    try {
      return message.getSubject();
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(MimeMessage message) {
    try {
      return String.valueOf(message.getContent()).replace("\r\n", "\n");
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
