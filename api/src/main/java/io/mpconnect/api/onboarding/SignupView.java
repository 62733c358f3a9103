package io.mpconnect.api.onboarding;

import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.web.Copy;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.onboarding.OrganizationNames;
import java.util.List;
import java.util.Objects;

/**
 * What the sign-up page's template (signup/signup.jte) shows for one state of the onboarding:
 * every decision made here, from the workflow's view, the markup and the words in the template
 * and the copy. Values are plain text; the template escapes them.
 */
public final class SignupView {
  /** Which card the page shows. */
  public enum Card { RESOLVING, SIGN_IN, CHOOSER, CONNECTING, CONNECTED, ENDED }

  private final OnboardingView v;
  private final SignupHtml.Settings settings;
  private final String csrfToken;
  private final SignupHtml.Form form;
  private final Copy copy;

  SignupView(OnboardingView v, SignupHtml.Settings settings, String csrfToken,
      SignupHtml.Form form, Copy copy) {
    this.v = v;
    this.settings = settings;
    this.csrfToken = csrfToken;
    this.form = form;
    this.copy = copy;
  }

  // The #signup element's data attributes, which signup.js compares with the JSON view.
  public String id() {
    return v.id();
  }

  public String step() {
    return Objects.toString(v.step(), "");
  }

  public String outcome() {
    return Objects.toString(v.outcome(), "");
  }

  public String subscription() {
    return Objects.toString(SignupHtml.status(v), "");
  }

  public String message() {
    return Objects.toString(v.message(), "");
  }

  public int poll() {
    return SignupHtml.pollMillis(v);
  }

  public String vendor() {
    return settings.vendorName();
  }

  public List<OidcProviderSettings> providers() {
    return settings.providers();
  }

  /** The AWS Marketplace listing, or null when none is configured. */
  public String listingUrl() {
    return settings.listingUrl();
  }

  public String heading() {
    return copy.plain(SignupHtml.headingKey(v));
  }

  /** The current step of four (5: all done), or 0 for no progress at all (an ending). */
  public int progress() {
    return switch (v.step()) {
      case RESOLVING_CUSTOMER -> 1;
      case AWAITING_AUTHENTICATION -> 2;
      case AWAITING_ORGANIZATION, CONNECTING -> 3;
      case CONFIRMING -> SignupHtml.status(v) == SubscriptionStatus.PENDING ? 4 : 5;
      case DONE -> v.outcome() == OnboardingOutcome.CONNECTED ? 5 : 0;
    };
  }

  public Card card() {
    return switch (v.step()) {
      case RESOLVING_CUSTOMER -> Card.RESOLVING;
      case AWAITING_AUTHENTICATION -> Card.SIGN_IN;
      case AWAITING_ORGANIZATION -> Card.CHOOSER;
      case CONNECTING, CONFIRMING, DONE -> SignupHtml.isConnected(v)
          ? Card.CONNECTED
          : v.step() == OnboardingStep.DONE ? Card.ENDED : Card.CONNECTING;
    };
  }

  /** How the onboarding ended (FAILED when the view does not say). */
  public OnboardingOutcome ending() {
    return v.outcome() == null ? OnboardingOutcome.FAILED : v.outcome();
  }

  /** The customer's AWS account, or null before it is known. */
  public String account() {
    return v.customer() == null ? null : v.customer().awsAccountId();
  }

  // Who signed in (the chooser). No display name (the provider sent none): the e-mail address
  // stands in, on the page only.
  public boolean signedIn() {
    return v.user() != null;
  }

  public String signedInName() {
    OnboardingView.User user = v.user();
    return user == null ? null : user.displayName() != null ? user.displayName() : user.email();
  }

  /** The e-mail address when it is not already the name shown. */
  public String signedInEmail() {
    OnboardingView.User user = v.user();
    return user == null || user.email() == null || user.email().equals(signedInName()) ? null
        : user.email();
  }

  /** The provider's name, or null for one no longer configured. */
  public String signedInWith() {
    String key = v.user() == null ? null : v.user().provider();
    return settings.providers().stream()
        .filter(p -> p.key().equals(key))
        .map(OidcProviderSettings::displayName)
        .findFirst()
        .orElse(null);
  }

  // The chooser. Eligible ones and the new organization first, ineligible ones after with their
  // reasons: on a phone the form would otherwise sit below every organization that cannot be
  // chosen.
  private List<OrganizationOption> all() {
    return v.organizations() == null ? List.of() : v.organizations();
  }

  public boolean noOrganizations() {
    return all().isEmpty();
  }

  public List<OrganizationOption> eligible() {
    return all().stream().filter(OrganizationOption::eligible).toList();
  }

  public List<OrganizationOption> ineligible() {
    return all().stream().filter(o -> !o.eligible()).toList();
  }

  public boolean anyEligible() {
    return !eligible().isEmpty();
  }

  public String csrfToken() {
    return csrfToken;
  }

  /**
   * The refused choice's message, or the workflow's own message while choosing (why an earlier
   * choice could not be used); null for none.
   */
  public String error() {
    boolean workflowNote = v.message() != null && anyEligible();
    return form.error() != null ? form.error() : workflowNote ? v.message() : null;
  }

  public boolean nameRefused() {
    return form.error() != null && "new".equals(form.choice());
  }

  /** The choice to check: the refused one, "new" when nothing else can be chosen, the only one. */
  public String selected() {
    List<OrganizationOption> eligible = eligible();
    return form.choice() != null ? form.choice()
        : eligible.isEmpty() ? "new"
        : eligible.size() == 1 ? eligible.get(0).id()
        : null;
  }

  public String newName() {
    return form.newName();
  }

  public int maxNameLength() {
    return OrganizationNames.MAX_LENGTH;
  }

  /** "Starter plan · Owner". */
  public String meta(OrganizationOption o) {
    return SignupHtml.planName(o.plan()) + " · " + SignupHtml.roleName(o.role());
  }

  public String reason(OrganizationOption o) {
    return SignupHtml.reason(o);
  }

  // Connected, and the endings.
  public String organizationId() {
    return v.organization() == null ? null : v.organization().id();
  }

  /** The organization's name; null when the view names none. */
  public String organizationName() {
    return v.organization() == null ? null : v.organization().name();
  }

  public boolean pending() {
    return SignupHtml.status(v) == SubscriptionStatus.PENDING;
  }

  /** The billing status to show (ACTIVE when the view has none). */
  public SubscriptionStatus billing() {
    SubscriptionStatus status = SignupHtml.status(v);
    return status == null ? SubscriptionStatus.ACTIVE : status;
  }

  public String email() {
    return v.user() == null ? null : v.user().email();
  }

  /** Linked but not confirmed by AWS yet: still on the free plan, so not "already runs". */
  public boolean linkAwaitsAws() {
    return v.organization() != null && !"STANDARD".equals(v.organization().plan());
  }
}
