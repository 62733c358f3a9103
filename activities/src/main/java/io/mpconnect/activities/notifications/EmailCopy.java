package io.mpconnect.activities.notifications;

import gg.jte.output.StringOutput;
import gg.jte.support.LocalizationSupport;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * The customer-facing sentences of the e-mails: {@code copy/emails.properties} (a translation is a
 * {@code copy/emails_<locale>.properties} beside it). The templates reach them through jte's
 * {@link LocalizationSupport}: {@code ${copy.localize("key", arg0, arg1)}}.
 */
final class EmailCopy implements LocalizationSupport {
  static final EmailCopy DEFAULT = new EmailCopy(Locale.ROOT);

  private final ResourceBundle bundle;

  EmailCopy(Locale locale) {
    this.bundle = ResourceBundle.getBundle("copy.emails", locale);
  }

  @Override
  public String lookup(String key) {
    return bundle.getString(key);
  }

  /** A sentence with its {0}, {1}, ... filled in, as a template would write it (subjects). */
  String text(String key, Object... params) {
    StringOutput out = new StringOutput();
    localize(key, params).writeTo(out);
    return out.toString();
  }
}
