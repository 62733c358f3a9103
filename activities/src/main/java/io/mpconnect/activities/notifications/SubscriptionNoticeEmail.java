package io.mpconnect.activities.notifications;

import java.util.Map;
import java.util.Set;

/**
 * What the owners of an organization hear about its AWS Marketplace subscription: activated (AWS
 * confirmed after the onboarding's confirmation, or a re-subscription), failed, ended. The outbox
 * payload holds no address; each owner's is looked up when the mail is sent.
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
    String organization = oneLine(String.valueOf(payload.get("organizationName")));
    String account = String.valueOf(payload.get("awsAccountId"));
    String greeting =
        displayName == null || displayName.isBlank() ? "Hello," : "Hello " + oneLine(displayName) + ",";
    String subject;
    String body;
    switch (kind) {
      case ACTIVATED -> {
        subject = "\"" + organization + "\" is on the Standard plan through AWS Marketplace";
        body =
            "AWS Marketplace has confirmed the subscription of AWS account "
                + account
                + ":\nyour organization \""
                + organization
                + "\" in "
                + vendorName
                + " is now on the Standard plan, billed\npay-as-you-go through that account's AWS"
                + " bill.";
      }
      case FAILED -> {
        subject = "The AWS Marketplace subscription of \"" + organization + "\" failed";
        body =
            "AWS Marketplace reported that the subscription of AWS account "
                + account
                + " failed.\nYour organization \""
                + organization
                + "\" in "
                + vendorName
                + " stays on the free Starter plan and nothing is\ncharged. Check the"
                + " subscription in AWS Marketplace and subscribe again: the\norganization is"
                + " upgraded as soon as AWS confirms.";
      }
      case ENDED -> {
        subject = "The AWS Marketplace subscription of \"" + organization + "\" has ended";
        body =
            "The AWS Marketplace subscription of AWS account "
                + account
                + " has ended.\nYour organization \""
                + organization
                + "\" in "
                + vendorName
                + " is back on the free Starter plan; its members\nand data are unchanged."
                + " Subscribe again in AWS Marketplace to return to the\nStandard plan.";
      }
      default -> throw new IllegalArgumentException("not a subscription notice: " + kind);
    }
    String text =
        String.join(
            "\n",
            greeting,
            "",
            body,
            "",
            "If you did not expect this message, please contact " + vendorName + " support.",
            "",
            "The " + vendorName + " team",
            "");
    return new OutgoingEmail(
        to,
        subject,
        text,
        kind.toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
            + " notice for organization "
            + organization
            + " ("
            + payload.get("organizationId")
            + ")");
  }

  private static String oneLine(String value) {
    return value.replaceAll("[\\r\\n\\t]+", " ").strip();
  }

  private SubscriptionNoticeEmail() {}
}
