package io.mpconnect.workflows.onboarding;

import io.mpconnect.workflows.messages.OrganizationOption;
import java.util.List;
import java.util.Locale;

/** Rules for the name of a new organization, checked by the choose-organization validator. */
public final class OrganizationNames {
  public static final int MAX_LENGTH = 64;

  /**
   * Returns why the name cannot be used, or null when it can. A duplicate is a name (ignoring
   * case and surrounding space) of one of the user's own organizations.
   */
  public static String problemWith(String name, List<OrganizationOption> existing) {
    if (name == null || name.isBlank()) {
      return "Enter a name for the new organization.";
    }
    String trimmed = name.strip();
    if (trimmed.length() > MAX_LENGTH) {
      return "The organization name may have at most " + MAX_LENGTH + " characters.";
    }
    if (trimmed.codePoints().anyMatch(c -> Character.isISOControl(c) || !Character.isDefined(c))) {
      return "The organization name may not contain control characters.";
    }
    int hidden = trimmed.codePoints().filter(OrganizationNames::isHidden).findFirst().orElse(-1);
    if (hidden >= 0) {
      return "The organization name may not contain invisible or text-direction characters"
          + " (it contains " + String.format(Locale.ROOT, "U+%04X", hidden)
          + "); type the name without them.";
    }
    String key = trimmed.toLowerCase(Locale.ROOT);
    for (OrganizationOption organization : existing) {
      if (organization.name().strip().toLowerCase(Locale.ROOT).equals(key)) {
        return "You already have an organization named \"" + trimmed + "\"; choose another name.";
      }
    }
    return null;
  }

  /**
   * Bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C)
   * make a name display differently from what it is ("Acme\u202Eevil" reads backwards), and
   * zero-width characters (U+200B..U+200D, U+2060, U+FEFF) make two names look the same: both
   * let one organization pass for another in pages, e-mails and the support views. A fixed list,
   * not Unicode tables, so the validator answers the same on every JVM (it runs in a workflow).
   */
  static boolean isHidden(int c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E
        || c == 0x200F || c == 0x061C || (c >= 0x200B && c <= 0x200D) || c == 0x2060
        || c == 0xFEFF;
  }

  private OrganizationNames() {}
}
