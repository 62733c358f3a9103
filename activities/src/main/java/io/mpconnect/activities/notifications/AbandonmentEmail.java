package io.mpconnect.activities.notifications;

import io.mpconnect.workflows.messages.AbandonmentNotice;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The notice to a customer who signed in but chose no organization in time: nothing was connected
 * or charged, and how to start again (template {@code notifications/abandoned.jte}).
 */
final class AbandonmentEmail {
  static final String KIND = "ONBOARDING_ABANDONED";

  static String dedupeKey(String onboardingId) {
    return "abandoned:" + onboardingId;
  }

  static Map<String, Object> payload(AbandonmentNotice notice) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("onboardingId", notice.onboardingId());
    payload.put("awsAccountId", notice.awsAccountId());
    return payload;
  }

  static OutgoingEmail render(
      String vendorName, String to, String displayName, Map<String, Object> payload) {
    Map<String, Object> params = EmailTemplates.params(vendorName, displayName, payload);
    return new OutgoingEmail(
        to,
        EmailCopy.DEFAULT.text("abandoned.subject", vendorName),
        EmailTemplates.render("abandoned", params),
        "abandonment notice for onboarding " + payload.get("onboardingId"));
  }

  private AbandonmentEmail() {}
}
