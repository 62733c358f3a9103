package io.mpconnect.activities.notifications;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the plain-text e-mails from their jte templates in {@code src/main/jte/notifications},
 * compiled to classes at build time (jte-maven-plugin, goal generate): no template compiler runs
 * in the worker. Every template gets the {@link EmailCopy} as {@code copy}.
 */
final class EmailTemplates {
  private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Plain);

  /**
   * @param template the template's name in {@code notifications/}, without {@code .jte}
   * @param params the template's parameters other than {@code copy}
   */
  static String render(String template, Map<String, Object> params) {
    Map<String, Object> all = new LinkedHashMap<>(params);
    all.put("copy", EmailCopy.DEFAULT);
    StringOutput out = new StringOutput();
    ENGINE.render("notifications/" + template + ".jte", all, out);
    return out.toString();
  }

  /**
   * The parameters every e-mail's template takes: {@code vendor}, {@code displayName} (null for the
   * plain greeting) and {@code account} (the payload's AWS account); add the template's own.
   */
  static Map<String, Object> params(
      String vendorName, String displayName, Map<String, Object> payload) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("vendor", vendorName);
    params.put("displayName", displayName(displayName));
    params.put("account", String.valueOf(payload.get("awsAccountId")));
    return params;
  }

  /** The payload's organization name, on one line (it goes into the subject). */
  static String organization(Map<String, Object> payload) {
    return oneLine(String.valueOf(payload.get("organizationName")));
  }

  /** Names end up in a header line; a line break there would start another header. */
  private static String oneLine(String value) {
    return value.replaceAll("[\\r\\n\\t]+", " ").strip();
  }

  /** The recipient's name for the greeting, or null for the plain "Hello,". */
  private static String displayName(String displayName) {
    return displayName == null || displayName.isBlank() ? null : oneLine(displayName);
  }

  private EmailTemplates() {}
}
