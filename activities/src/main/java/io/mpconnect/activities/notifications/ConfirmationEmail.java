package io.mpconnect.activities.notifications;

import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "your organization is connected" notification: its outbox payload and its plain-text mail
 * (template {@code notifications/confirmation.jte}).
 * The payload holds no address; the recipient's is looked up when the mail is sent.
 */
final class ConfirmationEmail {
  static final String KIND = "CONNECTION_CONFIRMATION";

  static String dedupeKey(String onboardingId) {
    return "confirmation:" + onboardingId;
  }

  static Map<String, Object> payload(
      String onboardingId, OrganizationRef organization, ResolvedCustomer customer) {
    return payload(onboardingId, organization, customer, null);
  }

  /**
   * @param subscriptionStatus the AWS subscription's status when the confirmation was asked for;
   *     null when the organization was activated at connect (onboardings before the subscription
   *     lifecycle)
   */
  static Map<String, Object> payload(
      String onboardingId,
      OrganizationRef organization,
      ResolvedCustomer customer,
      SubscriptionStatus subscriptionStatus) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("onboardingId", onboardingId);
    payload.put("organizationId", organization.id());
    payload.put("organizationName", organization.name());
    payload.put("awsAccountId", customer.awsAccountId());
    payload.put("productCode", customer.productCode());
    if (subscriptionStatus != null) {
      payload.put("subscriptionStatus", subscriptionStatus.name());
    }
    return payload;
  }

  static OutgoingEmail render(
      String vendorName, String to, String displayName, Map<String, Object> payload) {
    String organization = EmailTemplates.organization(payload);
    Map<String, Object> params = EmailTemplates.params(vendorName, displayName, payload);
    params.put("organization", organization);
    params.put("billing", billing(String.valueOf(payload.get("subscriptionStatus"))));
    return new OutgoingEmail(
        to,
        EmailCopy.DEFAULT.text("confirmation.subject", organization),
        EmailTemplates.render("confirmation", params),
        "connection confirmation for organization "
            + organization
            + " ("
            + payload.get("organizationId")
            + ")");
  }

  /** Which of the copy's billing paragraphs, by whether AWS had confirmed the subscription. */
  private static String billing(String status) {
    return switch (status) {
      case "PENDING" -> "pending";
      case "FAILED" -> "failed";
      case "UNSUBSCRIBE_PENDING", "UNSUBSCRIBED" -> "cancelled";
      default -> "active";
    };
  }

  private ConfirmationEmail() {}
}
