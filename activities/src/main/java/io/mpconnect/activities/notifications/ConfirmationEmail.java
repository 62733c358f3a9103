package io.mpconnect.activities.notifications;

import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "your organization is connected" notification: its outbox payload and its plain-text mail.
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
    String organization = oneLine(String.valueOf(payload.get("organizationName")));
    String account = String.valueOf(payload.get("awsAccountId"));
    String greeting =
        displayName == null || displayName.isBlank()
            ? "Hello,"
            : "Hello " + oneLine(displayName) + ",";
    String text =
        String.join(
            "\n",
            greeting,
            "",
            "your organization \""
                + organization
                + "\" in "
                + vendorName
                + " is now connected to AWS Marketplace through AWS account "
                + account
                + ".",
            "",
            billing(organization, account, String.valueOf(payload.get("subscriptionStatus"))),
            "Members and data of the organization are unchanged.",
            "",
            "Next steps:",
            "1. Sign in to "
                + vendorName
                + " and open \""
                + organization
                + "\" to continue working.",
            "2. Invite your team to \""
                + organization
                + "\". Colleagues who set up their account from",
            "   the same AWS account are directed to this organization and need an invitation.",
            "3. Find the charges in the AWS Billing console, under AWS Marketplace.",
            "",
            "If you did not expect this message, please contact " + vendorName + " support.",
            "",
            "The " + vendorName + " team",
            "");
    return new OutgoingEmail(
        to,
        "\"" + organization + "\" is now connected to AWS Marketplace",
        text,
        "connection confirmation for organization "
            + organization
            + " ("
            + payload.get("organizationId")
            + ")");
  }

  /** What the mail says about billing, by whether AWS had confirmed the subscription. */
  private static String billing(String organization, String account, String status) {
    return switch (status) {
      case "PENDING" ->
          "AWS Marketplace has not confirmed the subscription yet. Until it does, \""
              + organization
              + "\"\nstays on the free Starter plan and nothing is charged; its owners get an"
              + " e-mail as soon\nas AWS confirms, and billing then runs through AWS account "
              + account
              + ".";
      case "FAILED" ->
          "AWS Marketplace reported that the subscription failed, so \""
              + organization
              + "\" stays on\nthe free Starter plan and nothing is charged. Check the"
              + " subscription in AWS Marketplace\nand subscribe again: the organization is"
              + " upgraded as soon as AWS confirms.";
      case "UNSUBSCRIBE_PENDING", "UNSUBSCRIBED" ->
          "The AWS Marketplace subscription has been cancelled, so \""
              + organization
              + "\" stays on the\nfree Starter plan. Subscribe again in AWS Marketplace to"
              + " upgrade it.";
      default ->
          "Billing for \""
              + organization
              + "\" now runs through AWS Marketplace: usage is charged\npay-as-you-go to AWS"
              + " account "
              + account
              + " and appears on that account's AWS bill.";
    };
  }

  /** Names end up in a header line; a line break there would start another header. */
  private static String oneLine(String value) {
    return value.replaceAll("[\\r\\n\\t]+", " ").strip();
  }

  private ConfirmationEmail() {}
}
