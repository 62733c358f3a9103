package io.mpconnect.activities.notifications;

import io.mpconnect.config.Env;

/** SMTP_HOST, SMTP_PORT (587), SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS (true). */
public record SmtpSettings(
    String host, int port, String user, String password, String from, boolean startTls) {

  /** The settings, or null when SMTP_HOST is unset (mail is then only logged). */
  public static SmtpSettings from(Env env) {
    String host = env.get("SMTP_HOST");
    if (host == null) {
      return null;
    }
    String from = env.get("SMTP_FROM");
    if (from == null) {
      throw new Env.ConfigException("SMTP_FROM must be set when SMTP_HOST is set");
    }
    String user = env.get("SMTP_USER");
    String password = env.secret("SMTP_PASSWORD");
    if ((user == null) != (password == null)) {
      throw new Env.ConfigException("SMTP_USER and SMTP_PASSWORD go together");
    }
    return new SmtpSettings(
        host,
        env.getInt("SMTP_PORT", 587),
        user,
        password,
        from,
        env.getBoolean("SMTP_STARTTLS", true));
  }

  @Override
  public String toString() {
    return "SmtpSettings[host="
        + host
        + ", port="
        + port
        + ", auth="
        + (user != null)
        + ", startTls="
        + startTls
        + "]";
  }
}
