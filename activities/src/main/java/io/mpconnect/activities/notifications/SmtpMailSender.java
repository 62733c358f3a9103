package io.mpconnect.activities.notifications;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/** Sends through an SMTP server (jakarta mail), with STARTTLS required unless turned off. */
public final class SmtpMailSender implements MailSender {
  // Bounded, so one stuck server cannot hold the dispatcher past its lease.
  private static final String CONNECT_TIMEOUT_MS = "10000";
  private static final String IO_TIMEOUT_MS = "20000";

  private final SmtpSettings settings;
  private final String vendorName;
  private final Session session;

  public SmtpMailSender(SmtpSettings settings, String vendorName) {
    this.settings = settings;
    this.vendorName = vendorName;
    Properties properties = new Properties();
    properties.put("mail.smtp.host", settings.host());
    properties.put("mail.smtp.port", Integer.toString(settings.port()));
    properties.put("mail.smtp.auth", Boolean.toString(settings.user() != null));
    // Required, not merely enabled: a server without TLS must not get the password in clear.
    properties.put("mail.smtp.starttls.enable", Boolean.toString(settings.startTls()));
    properties.put("mail.smtp.starttls.required", Boolean.toString(settings.startTls()));
    properties.put("mail.smtp.connectiontimeout", CONNECT_TIMEOUT_MS);
    properties.put("mail.smtp.timeout", IO_TIMEOUT_MS);
    properties.put("mail.smtp.writetimeout", IO_TIMEOUT_MS);
    this.session = Session.getInstance(properties);
  }

  @Override
  public String vendorName() {
    return vendorName;
  }

  @Override
  public void send(OutgoingEmail email) throws MailDeliveryException {
    MimeMessage message = new MimeMessage(session);
    try {
      message.setFrom(
          new InternetAddress(settings.from(), vendorName, StandardCharsets.UTF_8.name()));
      message.setRecipient(Message.RecipientType.TO, new InternetAddress(email.to(), true));
    } catch (AddressException e) {
      throw new MailDeliveryException("the recipient address is not valid", true, null);
    } catch (MessagingException | UnsupportedEncodingException e) {
      throw new MailDeliveryException("invalid SMTP_FROM: " + e.getMessage(), false, null);
    }
    try {
      message.setSubject(email.subject(), StandardCharsets.UTF_8.name());
      message.setText(email.text(), StandardCharsets.UTF_8.name());
      message.setSentDate(new Date());
      if (settings.user() != null) {
        Transport.send(message, settings.user(), settings.password());
      } else {
        Transport.send(message);
      }
    } catch (MessagingException e) {
      // The cause is dropped on purpose: its messages may quote the recipient's address.
      throw new MailDeliveryException(
          "SMTP delivery to "
              + settings.host()
              + ":"
              + settings.port()
              + " failed: "
              + Redaction.withoutAddresses(describe(e)),
          false,
          null);
    }
  }

  private static String describe(Throwable error) {
    StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      text.append(" (")
          .append(cause.getClass().getSimpleName())
          .append(": ")
          .append(cause.getMessage())
          .append(')');
    }
    return text.toString().strip();
  }
}
