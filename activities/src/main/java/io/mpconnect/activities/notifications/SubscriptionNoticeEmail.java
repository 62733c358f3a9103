package io.mpconnect.activities.notifications;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the owners of an organization hear about its AWS Marketplace subscription: activated (AWS
 * confirmed after the onboarding's confirmation, or a re-subscription), failed, ended. The outbox
 * payload holds no address; each owner's is looked up when the mail is sent. Template {@code
 * notifications/subscription-notice.jte}.
 */
public final class SubscriptionNoticeEmail {
  public static final String ACTIVATED = "SUBSCRIPTION_ACTIVATED";
  public static final String FAILED = "SUBSCRIPTION_FAILED";
  public static final String ENDED = "SUBSCRIPTION_ENDED";
  private static final Set<String> KINDS = Set.of(ACTIVATED, FAILED, ENDED);

  static boolean handles(String kind) {
    return KINDS.contains(kind);
  }

  static OutgoingEmail render(
      String kind, String vendorName, String to, String displayName, Map<String, Object> payload) {
    if (!handles(kind)) {
      throw new IllegalArgumentException("not a subscription notice: " + kind);
    }
    // ACTIVATED -> "activated": the copy's keys notice.activated.subject and .body
    String notice = kind.substring("SUBSCRIPTION_".length()).toLowerCase(Locale.ROOT);
    String organization = EmailTemplates.organization(payload);
    Map<String, Object> params = EmailTemplates.params(vendorName, displayName, payload);
    params.put("organization", organization);
    params.put("notice", notice);
    return new OutgoingEmail(
        to,
        EmailCopy.DEFAULT.text("notice." + notice + ".subject", organization),
        EmailTemplates.render("subscription-notice", params),
        kind.toLowerCase(Locale.ROOT).replace('_', ' ')
            + " notice for organization "
            + organization
            + " ("
            + payload.get("organizationId")
            + ")");
  }

  private SubscriptionNoticeEmail() {}
}
