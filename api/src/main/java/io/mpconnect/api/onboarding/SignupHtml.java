package io.mpconnect.api.onboarding;

import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Templates;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import java.util.List;

/**
 * The sign-up page's content for one state of the onboarding: a pure function of the workflow's
 * view, so the first render, a refresh, the page's script (which fetches it again when the view
 * changes) and the tests all see the same HTML. The decisions are here and in {@link SignupView};
 * the markup is the template signup/signup.jte (HTML-escaped), the words are in
 * copy/pages.properties.
 */
final class SignupHtml {
  /** While the workflow works on its own, the page looks again this often. */
  static final int QUICK_POLL_MILLIS = 1_000;
  /** After connecting, until AWS confirms the subscription. */
  static final int CONFIRMATION_POLL_MILLIS = 3_000;
  /** While waiting for the customer (to notice a time-out or another tab's progress). */
  static final int IDLE_POLL_MILLIS = 15_000;

  /** What does not change between requests. */
  record Settings(String vendorName, List<OidcProviderSettings> providers, String listingUrl) {}

  /** A refused choice shown again with the form (no-script submissions). */
  record Form(String error, String choice, String newName) {
    static final Form EMPTY = new Form(null, null, null);
  }

  private final Settings settings;
  private final Copy copy = Copy.english();

  SignupHtml(Settings settings) {
    this.settings = settings;
  }

  /** The page title for a state: its heading, then the vendor. */
  String title(OnboardingView v) {
    return copy.plain("signup.title", copy.plain(headingKey(v)), settings.vendorName());
  }

  /** How long until the page looks for a change; 0 when nothing more can happen. */
  static int pollMillis(OnboardingView v) {
    return switch (v.step()) {
      case RESOLVING_CUSTOMER, CONNECTING -> QUICK_POLL_MILLIS;
      case CONFIRMING -> status(v) == SubscriptionStatus.PENDING
          ? CONFIRMATION_POLL_MILLIS
          : QUICK_POLL_MILLIS;
      case AWAITING_AUTHENTICATION, AWAITING_ORGANIZATION -> IDLE_POLL_MILLIS;
      // Connected while AWS has not confirmed: the onboarding has ended at the link, but the
      // subscription's status still changes, however long AWS takes (signup.js backs off).
      case DONE -> v.outcome() == OnboardingOutcome.CONNECTED
          && status(v) == SubscriptionStatus.PENDING ? CONFIRMATION_POLL_MILLIS : 0;
    };
  }

  /** Linked: confirming (perhaps waiting for AWS), or done and connected. */
  static boolean isConnected(OnboardingView v) {
    return v.step() == OnboardingStep.CONFIRMING && v.organization() != null
        || v.step() == OnboardingStep.DONE && v.outcome() == OnboardingOutcome.CONNECTED;
  }

  /**
   * The whole {@code #signup} element (signup/signup.jte). Its data attributes carry what the
   * script compares with {@code GET /api/onboardings/{id}} to know when to fetch the page again.
   */
  String render(OnboardingView v, String csrfToken, Form form) {
    return Templates.render("signup/signup.jte", Templates.params("s", view(v, csrfToken, form)));
  }

  SignupView view(OnboardingView v, String csrfToken, Form form) {
    return new SignupView(v, settings, csrfToken, form, copy);
  }

  /** The heading's key in the copy. */
  static String headingKey(OnboardingView v) {
    return switch (v.step()) {
      case RESOLVING_CUSTOMER -> "signup.heading.resolving";
      case AWAITING_AUTHENTICATION -> "signup.heading.signIn";
      case AWAITING_ORGANIZATION -> "signup.heading.chooser";
      case CONNECTING, CONFIRMING -> isConnected(v) ? connectedHeadingKey(v)
          : "signup.heading.connecting";
      case DONE -> switch (v.outcome() == null ? OnboardingOutcome.FAILED : v.outcome()) {
        case CONNECTED -> connectedHeadingKey(v);
        case ALREADY_LINKED -> "signup.heading.alreadyLinked";
        case INVALID_TOKEN -> "signup.heading.invalidToken";
        case EXPIRED_TOKEN -> "signup.heading.expiredToken";
        case WRONG_PRODUCT -> "signup.heading.wrongProduct";
        case ABANDONED -> "signup.heading.abandoned";
        case FAILED -> "signup.heading.failed";
      };
    };
  }

  private static String connectedHeadingKey(OnboardingView v) {
    return status(v) == SubscriptionStatus.PENDING
        ? "signup.heading.connectedPending"
        : "signup.heading.connected";
  }

  static SubscriptionStatus status(OnboardingView v) {
    return v.subscription() == null ? null : v.subscription().status();
  }

  /** Why an organization cannot be connected, in words (plain text: the template escapes it). */
  static String reason(OrganizationOption option) {
    Copy copy = Copy.english();
    if (option.ineligibleReason() == null) {
      return copy.plain("signup.reason.unknown");
    }
    return switch (option.ineligibleReason()) {
      case NOT_OWNER -> copy.plain("signup.reason.notOwner");
      case NOT_STARTER_PLAN -> copy.plain("signup.reason.notStarter");
      case ALREADY_LINKED -> option.linkedAwsAccount() == null
          ? copy.plain("signup.reason.linked")
          : copy.plain("signup.reason.linkedAccount", option.linkedAwsAccount());
    };
  }

  static String planName(String plan) {
    Copy copy = Copy.english();
    if (plan == null) {
      return copy.plain("signup.plan.unknown");
    }
    return switch (plan) {
      case "STARTER" -> copy.plain("signup.plan.starter");
      case "STANDARD" -> copy.plain("signup.plan.standard");
      default -> copy.plain("signup.plan.other", capitalized(plan));
    };
  }

  static String roleName(String role) {
    Copy copy = Copy.english();
    if (role == null) {
      return copy.plain("signup.role.member");
    }
    return switch (role) {
      case "OWNER" -> copy.plain("signup.role.owner");
      case "MEMBER" -> copy.plain("signup.role.member");
      default -> capitalized(role);
    };
  }

  private static String capitalized(String word) {
    return word.isEmpty() ? word : word.charAt(0) + word.substring(1).toLowerCase(java.util.Locale.ROOT);
  }
}
