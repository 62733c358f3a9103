package io.mpconnect.activities.notifications;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Used when SMTP_HOST is unset: logs what would be sent (never the address) and succeeds. */
public final class LoggingMailSender implements MailSender {
  private static final Logger log = LoggerFactory.getLogger(LoggingMailSender.class);

  private final String vendorName;

  public LoggingMailSender(String vendorName) {
    this.vendorName = vendorName;
  }

  @Override
  public String vendorName() {
    return vendorName;
  }

  @Override
  public void send(OutgoingEmail email) {
    log.info(
        "SMTP_HOST is not set: would send the {} (subject \"{}\")",
        email.summary(),
        email.subject());
  }
}
