package io.mpconnect.activities.notifications;

import io.mpconnect.workflows.messages.ReminderRequest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reminder to a signed-in customer who has not chosen an organization yet, with the link back
 * to the sign-up page (template {@code notifications/reminder.jte}). The payload holds no
 * address; the recipient's is looked up when the mail is sent.
 */
final class ReminderEmail {
  static final String KIND = "ONBOARDING_REMINDER";
  private static final DateTimeFormatter EXPIRY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  static String dedupeKey(String onboardingId, int number) {
    return "reminder:" + onboardingId + ":" + number;
  }

  static Map<String, Object> payload(ReminderRequest request) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("onboardingId", request.onboardingId());
    payload.put("awsAccountId", request.awsAccountId());
    payload.put("number", request.number());
    payload.put("of", request.of());
    payload.put("expiresAt", request.expiresAt() == null ? null : request.expiresAt().toString());
    return payload;
  }

  /** The sign-up page of an onboarding, where the customer left off. */
  static String signupUrl(String publicBaseUrl, String onboardingId) {
    return publicBaseUrl.replaceAll("/+$", "") + "/signup/" + onboardingId;
  }

  static OutgoingEmail render(
      String vendorName,
      String publicBaseUrl,
      String to,
      String displayName,
      Map<String, Object> payload) {
    String onboardingId = String.valueOf(payload.get("onboardingId"));
    Map<String, Object> params = EmailTemplates.params(vendorName, displayName, payload);
    params.put("signupUrl", signupUrl(publicBaseUrl, onboardingId));
    params.put("expiresAt", expiry(payload.get("expiresAt")));
    return new OutgoingEmail(
        to,
        EmailCopy.DEFAULT.text("reminder.subject", vendorName),
        EmailTemplates.render("reminder", params),
        "reminder "
            + payload.get("number")
            + " of "
            + payload.get("of")
            + " for onboarding "
            + onboardingId);
  }

  private static String expiry(Object expiresAt) {
    try {
      return EXPIRY.format(Instant.parse(String.valueOf(expiresAt)));
    } catch (DateTimeParseException e) {
      return String.valueOf(expiresAt);
    }
  }

  private ReminderEmail() {}
}
