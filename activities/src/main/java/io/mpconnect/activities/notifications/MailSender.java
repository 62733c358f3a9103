package io.mpconnect.activities.notifications;

/** Delivers rendered e-mails. Built by {@link MailSenders#from}. */
public interface MailSender {
  /** The vendor's name (VENDOR_NAME): the mails are written and signed in it. */
  String vendorName();

  /** Delivers the mail or throws; a return means the server accepted it. */
  void send(OutgoingEmail email) throws MailDeliveryException;
}
