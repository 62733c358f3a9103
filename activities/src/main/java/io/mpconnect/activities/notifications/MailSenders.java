package io.mpconnect.activities.notifications;

import io.mpconnect.config.Env;

/** Picks the mail sender for the configuration: SMTP when SMTP_HOST is set, else logging. */
public final class MailSenders {
  public static final String DEFAULT_VENDOR_NAME = "our product";

  public static MailSender from(Env env) {
    String vendorName = env.get("VENDOR_NAME", DEFAULT_VENDOR_NAME);
    SmtpSettings smtp = SmtpSettings.from(env);
    return smtp == null ? new LoggingMailSender(vendorName) : new SmtpMailSender(smtp, vendorName);
  }

  private MailSenders() {}
}
