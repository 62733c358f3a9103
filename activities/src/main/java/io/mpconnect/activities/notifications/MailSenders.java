package io.mpconnect.activities.notifications;

import io.mpconnect.config.Env;

/** Picks the mail sender for the configuration: SMTP when SMTP_HOST is set, else logging. */
public final class MailSenders {
  public static final String DEFAULT_VENDOR_NAME = "our product";
  /** The api's own default of PUBLIC_BASE_URL (API_PORT 8080). */
  public static final String DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8080";

  public static MailSender from(Env env) {
    String vendorName = env.get("VENDOR_NAME", DEFAULT_VENDOR_NAME);
    SmtpSettings smtp = SmtpSettings.from(env);
    return smtp == null ? new LoggingMailSender(vendorName) : new SmtpMailSender(smtp, vendorName);
  }

  /**
   * PUBLIC_BASE_URL, where customers reach the api, for the links in the mails (the reminders'
   * link back to the sign-up page): the worker reads the api's setting, with the api's default.
   */
  public static String publicBaseUrl(Env env) {
    String url =
        env.get("PUBLIC_BASE_URL", "http://127.0.0.1:" + env.getInt("API_PORT", 8080));
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new Env.ConfigException("PUBLIC_BASE_URL must be an http or https URL");
    }
    return url.replaceAll("/+$", "");
  }

  private MailSenders() {}
}
