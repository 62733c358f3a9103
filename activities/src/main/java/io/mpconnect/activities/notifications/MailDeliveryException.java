package io.mpconnect.activities.notifications;

/**
 * A mail that was not delivered. The message names no address, so it may be logged and stored.
 *
 * @see #permanent()
 */
public class MailDeliveryException extends Exception {
  private final boolean permanent;

  public MailDeliveryException(String message, boolean permanent, Throwable cause) {
    super(message, cause);
    this.permanent = permanent;
  }

  /** True when retrying cannot help, such as a malformed recipient address. */
  public boolean permanent() {
    return permanent;
  }
}
