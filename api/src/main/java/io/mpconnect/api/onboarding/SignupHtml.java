package io.mpconnect.api.onboarding;

import static io.mpconnect.api.web.Html.escape;

import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.web.BillingWording;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.onboarding.OrganizationNames;
import java.util.List;

/**
 * The sign-up page's content for one state of the onboarding: a pure function of the workflow's
 * view, so the first render, a refresh, the page's script (which fetches it again when the view
 * changes) and the tests all see the same HTML. Every string from outside this class is escaped.
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

  SignupHtml(Settings settings) {
    this.settings = settings;
  }

  /** The page title for a state: its heading, then the vendor. */
  String title(OnboardingView v) {
    return heading(v) + " · " + settings.vendorName();
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
  private static boolean isConnected(OnboardingView v) {
    return v.step() == OnboardingStep.CONFIRMING && v.organization() != null
        || v.step() == OnboardingStep.DONE && v.outcome() == OnboardingOutcome.CONNECTED;
  }

  /**
   * The whole {@code #signup} element. Its data attributes carry what the script compares with
   * {@code GET /api/onboardings/{id}} to know when to fetch the page again.
   */
  String render(OnboardingView v, String csrfToken, Form form) {
    StringBuilder out = new StringBuilder(4096);
    out.append("<div id=\"signup\" data-onboarding=\"").append(escape(v.id()))
        .append("\" data-step=\"").append(escape(v.step()))
        .append("\" data-outcome=\"").append(escape(v.outcome()))
        .append("\" data-subscription=\"").append(escape(status(v)))
        .append("\" data-message=\"").append(escape(v.message()))
        .append("\" data-poll=\"").append(pollMillis(v)).append("\">\n");
    out.append(progress(v));
    out.append("<section class=\"card\" aria-labelledby=\"heading\">\n");
    out.append("<h1 id=\"heading\" tabindex=\"-1\">").append(escape(heading(v))).append("</h1>\n");
    switch (v.step()) {
      case RESOLVING_CUSTOMER -> out.append(resolving());
      case AWAITING_AUTHENTICATION -> out.append(signIn(v));
      case AWAITING_ORGANIZATION -> out.append(chooser(v, csrfToken, form));
      case CONNECTING, CONFIRMING, DONE -> out.append(isConnected(v) ? connected(v)
          : v.step() == OnboardingStep.DONE ? ended(v) : connecting());
    }
    out.append("</section>\n</div>");
    return out.toString();
  }

  private String heading(OnboardingView v) {
    return switch (v.step()) {
      case RESOLVING_CUSTOMER -> "Verifying your AWS subscription";
      case AWAITING_AUTHENTICATION -> "Choose an authentication method";
      case AWAITING_ORGANIZATION -> "Choose an organization";
      case CONNECTING, CONFIRMING -> isConnected(v) ? connectedHeading(v)
          : "Connecting your organization";
      case DONE -> switch (v.outcome() == null ? OnboardingOutcome.FAILED : v.outcome()) {
        case CONNECTED -> connectedHeading(v);
        case ALREADY_LINKED -> "This AWS account is already subscribed";
        case INVALID_TOKEN -> "This sign-up link is not valid";
        case EXPIRED_TOKEN -> "This sign-up link has expired";
        case WRONG_PRODUCT -> "This link is for another product";
        case ABANDONED -> "This sign-up timed out";
        case FAILED -> "We could not finish connecting";
      };
    };
  }

  private static String connectedHeading(OnboardingView v) {
    return status(v) == SubscriptionStatus.PENDING
        ? "Connected: waiting for AWS to confirm"
        : "You are all set";
  }

  /** Four steps; none after an ending other than CONNECTED, where the card says it all. */
  private static String progress(OnboardingView v) {
    int current = switch (v.step()) {
      case RESOLVING_CUSTOMER -> 1;
      case AWAITING_AUTHENTICATION -> 2;
      case AWAITING_ORGANIZATION, CONNECTING -> 3;
      case CONFIRMING -> status(v) == SubscriptionStatus.PENDING ? 4 : 5;
      case DONE -> v.outcome() == OnboardingOutcome.CONNECTED ? 5 : 0;
    };
    if (current == 0) {
      return "";
    }
    String[] names = {"AWS subscription", "Sign in", "Organization", "Connected"};
    StringBuilder out = new StringBuilder("<ol class=\"steps\" aria-label=\"Progress\">");
    for (int i = 1; i <= names.length; i++) {
      out.append("<li")
          .append(i < current ? " class=\"done\"" : i == current ? " aria-current=\"step\"" : "")
          .append(">").append(names[i - 1])
          .append(i < current ? "<span class=\"visually-hidden\"> (done)</span>" : "")
          .append("</li>");
    }
    return out.append("</ol>\n").toString();
  }

  private static String resolving() {
    return "<p class=\"status\" role=\"status\"><span class=\"spinner\" aria-hidden=\"true\"></span>"
        + "We are checking your subscription with AWS Marketplace. This takes a few seconds;"
        + " the page moves on by itself.</p>\n";
  }

  private String signIn(OnboardingView v) {
    StringBuilder out = new StringBuilder();
    if (v.customer() != null) {
      out.append("<div class=\"notice ok\"><p>Your AWS subscription is verified for AWS account <strong>")
          .append(escape(v.customer().awsAccountId())).append("</strong>.</p></div>\n");
    }
    out.append("<p>Sign in to connect this subscription to your ")
        .append(escape(settings.vendorName())).append(" organization, or to create a new one.</p>\n")
        .append("<p class=\"muted\"><strong>Use the same method as your existing ")
        .append(escape(settings.vendorName()))
        .append(" organization</strong>, so that we can find it. Another method signs you in as"
            + " a different user.</p>\n")
        .append(providerButtons(v.id(), "Sign in with "));
    return out.toString();
  }

  private String chooser(OnboardingView v, String csrfToken, Form form) {
    StringBuilder out = new StringBuilder();
    out.append(signedInAs(v));
    List<OrganizationOption> all = v.organizations() == null ? List.of() : v.organizations();
    // Eligible ones and the new organization first, ineligible ones after with their reasons:
    // on a phone the form would otherwise sit below every organization that cannot be chosen.
    List<OrganizationOption> eligible = all.stream().filter(OrganizationOption::eligible).toList();
    List<OrganizationOption> ineligible =
        all.stream().filter(o -> !o.eligible()).toList();
    boolean anyEligible = !eligible.isEmpty();
    String account = v.customer() == null ? null : v.customer().awsAccountId();
    out.append("<p>The organization you choose is ").append(BillingWording.ONCE_AWS_CONFIRMS)
        .append(account == null ? "" : " (AWS account <strong>" + escape(account) + "</strong>)")
        .append(". You can connect an organization on the free Starter plan that you own, or"
            + " create a new one.</p>\n");
    if (!anyEligible) {
      out.append("<div class=\"notice warn\" id=\"none-eligible\"><h2>")
          .append(all.isEmpty()
              ? "This sign-in has no organizations yet"
              : "None of this sign-in's organizations can be connected")
          .append("</h2><p>Create a new organization below, or, if your organization belongs to"
              + " another account, start again from AWS Marketplace to"
              + " <a href=\"#switch-method\">sign in with another method</a>.</p>"
              + "</div>\n");
    }
    // The workflow's own message while choosing: why an earlier choice could not be used.
    boolean workflowNote = v.message() != null && anyEligible;
    String error = form.error() != null ? form.error() : workflowNote ? v.message() : null;
    boolean nameRefused = form.error() != null && "new".equals(form.choice());

    String selected = form.choice() != null ? form.choice()
        : !anyEligible ? "new"
        : eligible.size() == 1 ? eligible.get(0).id()
        : null;
    out.append("<form id=\"connect\" method=\"post\" action=\"/signup/").append(escape(v.id()))
        .append("\" data-csrf=\"").append(escape(csrfToken)).append("\" novalidate>\n")
        .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(escape(csrfToken)).append("\">\n");
    if (anyEligible) {
      out.append("<fieldset><legend>Your organizations</legend>\n");
      int i = 0;
      for (OrganizationOption o : eligible) {
        i++;
        String inputId = "org-" + i;
        out.append("<div class=\"option\">")
            .append("<input type=\"radio\" name=\"choice\" id=\"").append(inputId)
            .append("\" value=\"").append(escape(o.id())).append("\"")
            .append(o.id().equals(selected) ? " checked" : "")
            .append("><label for=\"").append(inputId).append("\"><span class=\"name\">")
            .append(escape(o.name())).append("</span><span class=\"meta\">")
            .append(escape(planName(o.plan()))).append(" · ").append(escape(roleName(o.role())))
            .append("</span></label></div>\n");
      }
      out.append("</fieldset>\n");
    }
    // No maxlength: the browser would cut a pasted name silently; a longer one is refused with a
    // message instead (OrganizationNames, checked by the workflow's validator).
    out.append("<fieldset><legend>").append(anyEligible ? "Or create a new organization"
            : "A new organization").append("</legend>\n")
        .append("<div class=\"option\"><input type=\"radio\" name=\"choice\" id=\"choice-new\""
            + " value=\"new\"").append("new".equals(selected) ? " checked" : "")
        .append("><label for=\"choice-new\"><span class=\"name\">Create a new organization</span>"
            + "<span class=\"meta\">").append(BillingWording.ONCE_AWS_CONFIRMS_SENTENCE)
        .append("</span></label>")
        .append("<div class=\"field\"><label for=\"new-name\">Organization name</label>"
            + "<input type=\"text\" id=\"new-name\" name=\"newName\""
            + " autocomplete=\"organization\" aria-describedby=\"new-name-hint connect-error\"")
        .append(form.newName() == null ? "" : " value=\"" + escape(form.newName()) + "\"")
        .append(nameRefused ? " aria-invalid=\"true\"" : "")
        .append("><p class=\"hint\" id=\"new-name-hint\">At most ")
        .append(OrganizationNames.MAX_LENGTH).append(" characters.</p></div></div>\n</fieldset>\n")
        .append("<p id=\"connect-error\" class=\"error\" role=\"alert\">")
        .append(escape(error)).append("</p>\n")
        .append("<p><button type=\"submit\" class=\"primary\">Connect to ")
        .append(escape(settings.vendorName())).append("</button></p>\n</form>\n");
    if (!ineligible.isEmpty()) {
      out.append("<section id=\"ineligible\" aria-labelledby=\"unavailable-heading\">")
          .append("<h2 id=\"unavailable-heading\">")
          .append(ineligible.size() == 1 ? "An organization you cannot connect"
              : "Organizations you cannot connect")
          .append("</h2>\n<ul class=\"unavailable\">\n");
      for (OrganizationOption o : ineligible) {
        out.append("<li class=\"option disabled\" data-organization=\"").append(escape(o.id()))
            .append("\"><span class=\"name\">").append(escape(o.name()))
            .append("</span><span class=\"meta\">").append(escape(planName(o.plan())))
            .append(" · ").append(escape(roleName(o.role()))).append("</span>")
            .append("<p class=\"why\">").append(escape(reason(o))).append("</p></li>\n");
      }
      out.append("</ul></section>\n");
    }
    // A sign-up binds the first sign-in for good (security.md, "Who an onboarding belongs to"):
    // another account starts from a fresh link.
    out.append("<details id=\"switch-method\"><summary>Use another sign-in method</summary>\n")
        .append("<p class=\"muted\">Your organization may belong to another of your accounts."
            + " This sign-up stays with the sign-in above. To use another account, go back to AWS"
            + " Marketplace and click <strong>Set up your account</strong> again: it gives you a"
            + " fresh link. Nothing is connected yet.</p>\n")
        .append(listingButton()).append("</details>\n");
    return out.toString();
  }

  private String signedInAs(OnboardingView v) {
    if (v.user() == null) {
      return "";
    }
    OnboardingView.User user = v.user();
    // No display name (the provider sent none): the e-mail address stands in, on the page only.
    String name = user.displayName() != null ? user.displayName() : user.email();
    StringBuilder out = new StringBuilder("<p class=\"signed-in\">Signed in");
    if (name != null) {
      out.append(" as <strong>").append(escape(name)).append("</strong>");
    }
    if (user.email() != null && !user.email().equals(name)) {
      out.append(" (").append(escape(user.email())).append(")");
    }
    String provider = providerName(user.provider());
    if (provider != null) {
      out.append(" with ").append(escape(provider));
    }
    return out.append(". <a href=\"#switch-method\">Use another sign-in method</a></p>\n").toString();
  }

  private static String connecting() {
    return "<p class=\"status\" role=\"status\"><span class=\"spinner\" aria-hidden=\"true\"></span>"
        + "We are connecting your organization to your AWS subscription. This takes a few"
        + " seconds; the page moves on by itself.</p>\n";
  }

  private String ended(OnboardingView v) {
    OnboardingOutcome outcome = v.outcome() == null ? OnboardingOutcome.FAILED : v.outcome();
    String account = v.customer() == null ? null : v.customer().awsAccountId();
    String again = "<p>Go back to AWS Marketplace, open your subscription to "
        + escape(settings.vendorName())
        + " and click <strong>Set up your account</strong> again. It brings you back here with a"
        + " fresh link.</p>\n" + listingButton();
    return switch (outcome) {
      case CONNECTED -> connected(v);
      case ALREADY_LINKED -> alreadyLinked(v, account);
      case INVALID_TOKEN -> "<p>We could not verify the link AWS Marketplace sent us. Nothing was"
          + " set up and nothing was charged.</p>\n<h2>What to do</h2>\n" + again;
      case EXPIRED_TOKEN -> "<p>Sign-up links from AWS Marketplace are valid for a short time"
          + " only, and this one has run out. Nothing was set up and nothing was charged.</p>\n"
          + "<h2>What to do</h2>\n" + again;
      case WRONG_PRODUCT -> "<p>The AWS Marketplace subscription behind this link is not for "
          + escape(settings.vendorName()) + ". Nothing was set up.</p>\n<h2>What to do</h2>\n"
          + "<p>Open the product you subscribed to in AWS Marketplace and click <strong>Set up"
          + " your account</strong> there. If you meant to subscribe to "
          + escape(settings.vendorName()) + ", subscribe to it first.</p>\n" + listingButton();
      case ABANDONED -> "<p>We waited a long time for the next step and then stopped. Nothing was"
          + " connected and nothing was charged.</p>\n<h2>What to do</h2>\n" + again;
      case FAILED -> "<p>Something went wrong on our side while connecting. Your organization"
          + " was not connected, and we have not billed anything.</p>\n<h2>What to do</h2>\n"
          + "<p>Try again in a few minutes: go back to AWS Marketplace and click <strong>Set up"
          + " your account</strong>. If it happens again, contact support"
          + (account == null ? "" : " and mention AWS account <strong>" + escape(account)
              + "</strong>")
          + ".</p>\n" + listingButton();
    };
  }

  private String connected(OnboardingView v) {
    String account = v.customer() == null ? null : v.customer().awsAccountId();
    String name = v.organization() == null ? "your organization" : v.organization().name();
    SubscriptionStatus status = status(v);
    StringBuilder out = new StringBuilder();
    out.append("<div class=\"notice ").append(status == SubscriptionStatus.PENDING ? "warn" : "ok")
        .append("\" role=\"status\"><p>Your organization <strong class=\"name-text\">")
        .append(escape(name)).append("</strong> is connected to your AWS Marketplace subscription.")
        .append("</p></div>\n<dl class=\"facts\">")
        .append("<dt>Organization</dt><dd>").append(escape(name)).append("</dd>");
    if (account != null) {
      out.append("<dt>AWS account</dt><dd>").append(escape(account)).append("</dd>");
    }
    out.append("<dt>Billing</dt><dd id=\"billing-status\">")
        .append(billing(status))
        .append("</dd></dl>\n");
    out.append("<h2>Next steps</h2>\n<ul class=\"next\">");
    if (v.organization() != null) {
      out.append("<li><a href=\"/organizations/").append(escape(v.organization().id()))
          .append("/billing\">Open the billing settings of ").append(escape(name))
          .append("</a> to see its plan and AWS account.</li>");
    }
    out.append("<li>Invite your team to ").append(escape(name)).append(" so they can use ")
        .append(escape(settings.vendorName())).append(" with you.</li>")
        .append("<li>Start using ").append(escape(settings.vendorName()))
        .append(": usage is metered by the hour and appears on your AWS bill.</li>");
    if (v.user() != null && v.user().email() != null) {
      out.append("<li>A confirmation is on its way to <strong>").append(escape(v.user().email()))
          .append("</strong>.</li>");
    }
    return out.append("</ul>\n").toString();
  }

  /** While PENDING the page keeps looking (pollMillis), so it says it updates by itself. */
  private static String billing(SubscriptionStatus status) {
    return switch (status == null ? SubscriptionStatus.ACTIVE : status) {
      case ACTIVE -> "Billing now runs through AWS Marketplace.";
      case PENDING ->
          "<span class=\"status\"><span class=\"spinner\" aria-hidden=\"true\"></span>"
              + "<span>" + BillingWording.ONCE_AWS_CONFIRMS_SENTENCE + ". Waiting for AWS to"
              + " confirm: this usually takes a minute; this page updates by itself.</span></span>";
      case UNSUBSCRIBE_PENDING -> "Your AWS Marketplace subscription is being cancelled.";
      case UNSUBSCRIBED -> "Your AWS Marketplace subscription was cancelled; the organization is"
          + " back on the free Starter plan.";
      case FAILED -> "AWS could not confirm the subscription. Check it in AWS Marketplace, or"
          + " contact support.";
    };
  }

  private String alreadyLinked(OnboardingView v, String account) {
    String name = v.organization() == null ? null : v.organization().name();
    StringBuilder out = new StringBuilder("<p>");
    out.append(account == null ? "Your AWS account" : "AWS account <strong>" + escape(account)
            + "</strong>")
        .append(" is already subscribed and connected to ");
    out.append(name == null ? "an existing " + escape(settings.vendorName()) + " organization"
        : "the " + escape(settings.vendorName()) + " organization <strong class=\"name-text\">"
            + escape(name) + "</strong>");
    out.append(". We did not create a new organization, and nothing was changed.</p>\n")
        .append("<h2>What to do</h2>\n<ul class=\"next\">")
        .append("<li>Ask a member of ").append(name == null ? "that organization"
            : "<strong class=\"name-text\">" + escape(name) + "</strong>")
        .append(" to invite you. ")
        // Linked but not confirmed by AWS yet: still on the free plan, so not "already runs".
        .append(v.organization() != null && !"STANDARD".equals(v.organization().plan())
            ? "It is " + BillingWording.ONCE_AWS_CONFIRMS + "."
            : "Its billing already runs through AWS Marketplace.")
        .append("</li>");
    if (v.organization() != null) {
      out.append("<li>Already a member? <a href=\"/organizations/")
          .append(escape(v.organization().id())).append("/billing\">Open its billing settings</a>.</li>");
    }
    out.append("<li>To bill another organization through AWS Marketplace, subscribe with another"
        + " AWS account.</li></ul>\n");
    return out.toString();
  }

  private String listingButton() {
    return settings.listingUrl() == null
        ? ""
        : "<p><a class=\"button primary\" href=\"" + escape(settings.listingUrl())
            + "\">Go to AWS Marketplace</a></p>\n";
  }

  /**
   * For a browser whose session is not the one that signed in to the onboarding (another browser,
   * a cookie from before the sign-in, or after signing out): nothing about the onboarding or who
   * signed in, only a way to sign in here; the sign-in resumes it for its owner only.
   */
  String signInToContinue(String onboardingId) {
    return "<section class=\"card\" id=\"signup\"><h1 tabindex=\"-1\">Sign in to continue</h1>"
        + "<p>To continue setting up your account, sign in with the method and account you used"
        + " for it before.</p>\n" + providerButtons(onboardingId, "Sign in with ")
        + "<p class=\"muted\">Not started yet, or started in another browser without signing"
        + " in? Continue in that browser, or go back to AWS Marketplace and click <strong>Set up"
        + " your account</strong> again.</p>\n</section>\n";
  }

  private String providerButtons(String onboardingId, String verb) {
    if (settings.providers().isEmpty()) {
      return "<p class=\"error\">No sign-in method is configured. Please contact support.</p>\n";
    }
    StringBuilder out = new StringBuilder("<ul class=\"actions\">");
    for (OidcProviderSettings provider : settings.providers()) {
      out.append("<li><a class=\"button primary\" href=\"/auth/").append(escape(provider.key()))
          .append("/login?onboarding=").append(escape(onboardingId)).append("\">")
          .append(escape(verb)).append(escape(provider.displayName())).append("</a></li>");
    }
    return out.append("</ul>\n").toString();
  }

  private String providerName(String key) {
    return settings.providers().stream()
        .filter(p -> p.key().equals(key))
        .map(OidcProviderSettings::displayName)
        .findFirst()
        .orElse(null);
  }

  static SubscriptionStatus status(OnboardingView v) {
    return v.subscription() == null ? null : v.subscription().status();
  }

  /** Why an organization cannot be connected, in words (plain text: the caller escapes it). */
  static String reason(OrganizationOption option) {
    if (option.ineligibleReason() == null) {
      return "It cannot be connected.";
    }
    return switch (option.ineligibleReason()) {
      case NOT_OWNER -> "You are not an owner of this organization: only its owners can connect"
          + " it. Ask an owner to set up the subscription.";
      case NOT_STARTER_PLAN -> "It is not on the Starter plan: only organizations on the free"
          + " Starter plan can be connected.";
      case ALREADY_LINKED -> option.linkedAwsAccount() == null
          ? "It is already connected to AWS Marketplace."
          : "It is already connected (AWS account " + option.linkedAwsAccount() + ").";
    };
  }

  static String planName(String plan) {
    if (plan == null) {
      return "Unknown plan";
    }
    return switch (plan) {
      case "STARTER" -> "Starter plan";
      case "STANDARD" -> "Standard plan";
      default -> capitalized(plan) + " plan";
    };
  }

  static String roleName(String role) {
    if (role == null) {
      return "Member";
    }
    return switch (role) {
      case "OWNER" -> "Owner";
      case "MEMBER" -> "Member";
      default -> capitalized(role);
    };
  }

  private static String capitalized(String word) {
    return word.isEmpty() ? word : word.charAt(0) + word.substring(1).toLowerCase(java.util.Locale.ROOT);
  }
}
