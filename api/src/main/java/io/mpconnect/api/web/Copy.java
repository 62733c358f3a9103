package io.mpconnect.api.web;

import gg.jte.support.LocalizationSupport;
import java.util.Locale;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sentences customers read, from the resource bundle {@code copy/pages.properties} (UTF-8):
 * one place for the wording, ready for translation (docs/journey.md, "Pages and their copy").
 * Templates call {@code t.localize("key", params...)}: the message is trusted HTML, its
 * {@code {0}} parameters are escaped by jte. A key that is not in the bundle throws
 * {@link java.util.MissingResourceException} when the page renders (and TemplatesTest checks
 * every key the templates name).
 */
public final class Copy implements LocalizationSupport {
  public static final String BUNDLE = "copy.pages";
  private static final Copy ENGLISH = new Copy(Locale.ROOT);
  private static final Pattern PARAMETER = Pattern.compile("\\{(\\d+)\\}");

  private final ResourceBundle bundle;

  private Copy(Locale locale) {
    this.bundle = ResourceBundle.getBundle(BUNDLE, locale,
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
  }

  /** The pages' language today; a translation adds {@code copy/pages_xx.properties}. */
  public static Copy english() {
    return ENGLISH;
  }

  public static Copy of(Locale locale) {
    return Locale.ROOT.equals(locale) ? ENGLISH : new Copy(locale);
  }

  /** The message itself; throws {@link java.util.MissingResourceException} for an unknown key. */
  @Override
  public String lookup(String key) {
    return bundle.getString(key);
  }

  /**
   * A message without markup as plain text, its {@code {n}} replaced by the parameters as they
   * are (for a page title, which the template escapes as a whole).
   */
  public String plain(String key, Object... params) {
    // One pass, so that a parameter's own "{1}" (an organization's name) stays as it is.
    Matcher m = PARAMETER.matcher(lookup(key));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int i = Integer.parseInt(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(
          i < params.length ? Objects.toString(params[i], "") : m.group()));
    }
    return m.appendTail(out).toString();
  }
}
