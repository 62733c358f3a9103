package io.mpconnect.activities.notifications;

/**
 * A rendered plain-text e-mail.
 *
 * @param summary what the mail is about, safe to log (names no address)
 */
public record OutgoingEmail(String to, String subject, String text, String summary) {
  /** Without the address: records print every field, and these end up in logs. */
  @Override
  public String toString() {
    return "OutgoingEmail[" + summary + "]";
  }
}
