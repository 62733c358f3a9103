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
    String key = trimmed.toLowerCase(Locale.ROOT);
    for (OrganizationOption organization : existing) {
      if (organization.name().strip().toLowerCase(Locale.ROOT).equals(key)) {
        return "You already have an organization named \"" + trimmed + "\"; choose another name.";
      }
    }
    return null;
  }

  private OrganizationNames() {}
}
