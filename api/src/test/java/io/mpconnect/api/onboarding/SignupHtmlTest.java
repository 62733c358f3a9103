package io.mpconnect.api.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.workflows.messages.IneligibleReason;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Every state of the sign-up page, rendered from a view as the workflow would return it. */
class SignupHtmlTest {
  static final String ID = "0123456789abcdef0123456789abcdef";
  static final SignupHtml html = new SignupHtml(new SignupHtml.Settings("Acme <Cloud>",
      List.of(
          new OidcProviderSettings("google", "https://accounts.example", "c", null, "Google", false),
          new OidcProviderSettings("okta", "https://okta.example", "c", null, "Okta \"SSO\"", false)),
      "https://aws.example/listing?a=1&b=2"));
  static final OnboardingView.Customer CUSTOMER =
      new OnboardingView.Customer("111122223333", "cust-1", "prod");
  static final OnboardingView.User USER =
      new OnboardingView.User("Olivia <Owner>", "owner@example.com", "okta");
  static final OrganizationOption ELIGIBLE =
      new OrganizationOption("org-1", "Acme Analytics", "STARTER", "OWNER", true, null);
  static final OrganizationOption NOT_OWNER = new OrganizationOption(
      "org-2", "Globex <img src=x onerror=alert(1)>", "STARTER", "MEMBER", false,
      IneligibleReason.NOT_OWNER);
  static final OrganizationOption NOT_STARTER = new OrganizationOption(
      "org-3", "Acme Enterprise", "STANDARD", "OWNER", false, IneligibleReason.NOT_STARTER_PLAN);
  /** Linked and confirmed by AWS: on the paid plan now, and still "already connected". */
  static final OrganizationOption LINKED = new OrganizationOption(
      "org-4", "Initech", "STANDARD", "OWNER", false, IneligibleReason.ALREADY_LINKED,
      "444455556666");

  static OnboardingView view(OnboardingStep step, OnboardingOutcome outcome,
      List<OrganizationOption> organizations, OrganizationRef organization,
      SubscriptionStatus status, String message) {
    return new OnboardingView(ID, step, outcome, step == OnboardingStep.RESOLVING_CUSTOMER
        ? null : CUSTOMER, step.ordinal() >= OnboardingStep.AWAITING_ORGANIZATION.ordinal() ? USER
        : null, organizations, organization,
        status == null ? null : new OnboardingView.Subscription(status), message);
  }

  static String render(OnboardingView v) {
    return html.render(v, "csrf-token", SignupHtml.Form.EMPTY);
  }

  @Test
  void whileResolvingItSaysItIsVerifyingAndPollsQuickly() {
    OnboardingView v = view(OnboardingStep.RESOLVING_CUSTOMER, null, List.of(), null, null, null);

    assertThat(render(v)).contains("Verifying your AWS subscription", "role=\"status\"",
        "data-poll=\"1000\"", "aria-current=\"step\">AWS subscription");
    assertThat(html.title(v)).isEqualTo("Verifying your AWS subscription · Acme <Cloud>");
  }

  @Test
  void signInOffersOneButtonPerProviderAndTheSameMethodHint() {
    String page = render(view(OnboardingStep.AWAITING_AUTHENTICATION, null, List.of(), null, null, null));

    assertThat(page).contains("Choose an authentication method", "111122223333",
        "href=\"/auth/google/login?onboarding=" + ID + "\">Sign in with Google",
        "href=\"/auth/okta/login?onboarding=" + ID + "\">Sign in with Okta &quot;SSO&quot;",
        "Use the same method as your existing Acme &lt;Cloud&gt; organization");
  }

  @Test
  void theChoiceListsEligibleOrganizationsSelectableAndIneligibleOnesAfterWithTheirReasons() {
    String page = render(view(OnboardingStep.AWAITING_ORGANIZATION, null,
        List.of(NOT_OWNER, ELIGIBLE, NOT_STARTER, LINKED), null, null, null));

    assertThat(page)
        .contains("Signed in as <strong>Olivia &lt;Owner&gt;</strong> (owner@example.com) with"
            + " Okta &quot;SSO&quot;", "Use another sign-in method")
        .contains("value=\"org-1\" checked>", "Acme Analytics")
        .contains("You are not an owner of this organization")
        .contains("It is not on the Starter plan",
            "It is already connected (AWS account 444455556666).")
        .contains("Globex &lt;img src=x onerror=alert(1)&gt;")
        .doesNotContain("<img")
        .contains("name=\"csrf\" value=\"csrf-token\"", "data-csrf=\"csrf-token\"",
            "action=\"/signup/" + ID + "\"", "Connect to Acme &lt;Cloud&gt;",
            "<label for=\"new-name\">Organization name</label>")
        .doesNotContain("None of this sign-in");
    // Ineligible ones are not choices.
    assertThat(page).doesNotContain("value=\"org-2\"", "value=\"org-3\"", "value=\"org-4\"")
        .doesNotContainPattern("<input[^>]* disabled");
    // The eligible one and the new organization first, then the form's button, then the rest:
    // on a phone the form must not sit below every organization that cannot be chosen.
    assertThat(page.indexOf("Acme Analytics")).isLessThan(page.indexOf("Create a new organization"));
    assertThat(page.indexOf("Create a new organization")).isLessThan(page.indexOf("</form>"));
    assertThat(page.indexOf("</form>"))
        .isLessThan(page.indexOf("Organizations you cannot connect"))
        .isLessThan(page.indexOf("Globex"))
        .isLessThan(page.indexOf("Acme Enterprise"))
        .isLessThan(page.indexOf("Initech"));
  }

  /** The same words as the console while AWS has not confirmed: not "Starter plan, billed". */
  @Test
  void theNewOrganizationIsBilledThroughAwsOnceAwsConfirms() {
    String page = render(view(OnboardingStep.AWAITING_ORGANIZATION, null, List.of(ELIGIBLE),
        null, null, null));

    assertThat(page).contains("The organization you choose is billed through AWS Marketplace once"
            + " AWS confirms your subscription (AWS account <strong>111122223333</strong>)",
        "<span class=\"meta\">Billed through AWS Marketplace once AWS confirms your"
            + " subscription</span>")
        .doesNotContain("On the Starter plan, billed");
  }

  /** A pasted name is never cut: the server refuses a long one with the rule. */
  @Test
  void theNameFieldHasNoMaxlengthButSaysTheLimit() {
    String page = render(view(OnboardingStep.AWAITING_ORGANIZATION, null, List.of(), null, null,
        null));

    assertThat(page).doesNotContain("maxlength")
        .contains("aria-describedby=\"new-name-hint connect-error\"",
            "id=\"new-name-hint\">At most 64 characters.</p>");
  }

  /** Without a display name the e-mail address stands in, once. */
  @Test
  void aUserWithoutADisplayNameIsShownByEmail() {
    OnboardingView v = view(OnboardingStep.AWAITING_ORGANIZATION, null, List.of(ELIGIBLE), null,
        null, null);
    OnboardingView nameless = new OnboardingView(v.id(), v.step(), v.outcome(), v.customer(),
        new OnboardingView.User(null, "owner@example.com", "okta"), v.organizations(),
        v.organization(), v.subscription(), v.message());
    OnboardingView nobody = new OnboardingView(v.id(), v.step(), v.outcome(), v.customer(),
        new OnboardingView.User(null, null, "okta"), v.organizations(), v.organization(),
        v.subscription(), v.message());

    assertThat(render(nameless)).contains("Signed in as <strong>owner@example.com</strong> with"
        + " Okta &quot;SSO&quot;.").doesNotContain("(owner@example.com)", "<strong></strong>");
    assertThat(render(nobody)).contains("Signed in with Okta &quot;SSO&quot;.");
  }

  @Test
  void withNoEligibleOrganizationItSaysSoAndSuggestsAnotherMethodOrANewOrganization() {
    String page = render(view(OnboardingStep.AWAITING_ORGANIZATION, null,
        List.of(NOT_OWNER, NOT_STARTER), null, null, "None of this sign-in's organizations can be"
            + " connected. Sign in with another method, or create a new organization."));

    assertThat(page).contains("None of this sign-in&#39;s organizations can be connected",
        "sign in with another method", "Create a new organization", "value=\"new\" checked>");
    // The workflow's own sentence says the same: not repeated as an error.
    assertThat(page).contains("role=\"alert\"></p>");
  }

  @Test
  void aSignInWithoutOrganizationsIsInvitedToCreateOne() {
    String page = render(view(OnboardingStep.AWAITING_ORGANIZATION, null, List.of(), null, null, null));

    assertThat(page).contains("This sign-in has no organizations yet", "A new organization")
        .doesNotContain("Your organizations");
  }

  @Test
  void aRefusedChoiceIsShownNextToTheFormWithWhatWasTyped() {
    String page = html.render(view(OnboardingStep.AWAITING_ORGANIZATION, null, List.of(ELIGIBLE),
            null, null, null), "t",
        new SignupHtml.Form("You already have \"<x>\"", "new", "<x>"));

    assertThat(page).contains("role=\"alert\">You already have &quot;&lt;x&gt;&quot;</p>",
        "value=\"&lt;x&gt;\"", "aria-invalid=\"true\"", "value=\"new\" checked>");
  }

  @Test
  void connectingIsAPendingStateThatPollsQuickly() {
    String page = render(view(OnboardingStep.CONNECTING, null, List.of(ELIGIBLE), null, null, null));

    assertThat(page).contains("Connecting your organization", "spinner", "data-poll=\"1000\"");
  }

  @Test
  void connectedAndActiveConfirmsOrganizationAccountBillingAndNextSteps() {
    OnboardingView v = view(OnboardingStep.DONE, OnboardingOutcome.CONNECTED, List.of(),
        new OrganizationRef("org-1", "Acme <Analytics>", "STANDARD"), SubscriptionStatus.ACTIVE,
        "connected");
    String page = render(v);

    assertThat(page).contains("You are all set", "Acme &lt;Analytics&gt;", "111122223333",
        "Billing now runs through AWS Marketplace", "Next steps",
        "href=\"/organizations/org-1/billing\"", "owner@example.com", "data-poll=\"0\"",
        "data-subscription=\"ACTIVE\"");
    assertThat(page).doesNotContain("Waiting for AWS");
  }

  @Test
  void connectedButWaitingForAwsSaysSoAndKeepsLookingWhileTheOnboardingWaits() {
    OnboardingView v = view(OnboardingStep.CONFIRMING, null, List.of(),
        new OrganizationRef("org-1", "Acme", "STARTER"), SubscriptionStatus.PENDING, "waiting");
    String page = render(v);

    assertThat(page).contains("Connected: waiting for AWS to confirm",
        "Billed through AWS Marketplace once AWS confirms your subscription. Waiting for AWS to"
            + " confirm", "this page updates by itself",
        "data-poll=\"3000\"", "data-subscription=\"PENDING\"", "Next steps", "111122223333");
    assertThat(page).doesNotContain("Billing now runs through AWS Marketplace");
  }

  @Test
  void confirmedByAwsWhileTheOnboardingConfirmsIsAllSet() {
    String page = render(view(OnboardingStep.CONFIRMING, null, List.of(),
        new OrganizationRef("org-1", "Acme", "STANDARD"), SubscriptionStatus.ACTIVE, null));

    assertThat(page).contains("You are all set", "Billing now runs through AWS Marketplace");
  }

  @Test
  void connectedAndEndedBeforeAwsConfirmedKeepsLookingForAwsAnswer() {
    // The onboarding ends at the link; AWS's answer may come any time later: no cut-off.
    String page = render(view(OnboardingStep.DONE, OnboardingOutcome.CONNECTED, List.of(),
        new OrganizationRef("org-1", "Acme", "STARTER"), SubscriptionStatus.PENDING, "connected"));

    assertThat(page).contains("Connected: waiting for AWS to confirm", "this page updates by itself",
        "data-poll=\"" + SignupHtml.CONFIRMATION_POLL_MILLIS + "\"");
    String confirmed = render(view(OnboardingStep.DONE, OnboardingOutcome.CONNECTED, List.of(),
        new OrganizationRef("org-1", "Acme", "STANDARD"), SubscriptionStatus.ACTIVE, "connected"));
    assertThat(confirmed).contains("You are all set", "data-poll=\"0\"");
  }

  @Test
  void alreadyLinkedAsksForAnInvitationAndSaysNothingWasCreated() {
    String page = render(view(OnboardingStep.DONE, OnboardingOutcome.ALREADY_LINKED, List.of(),
        new OrganizationRef("org-9", "Linked <Ltd>", "STANDARD"), null, "linked"));

    assertThat(page).contains("This AWS account is already subscribed", "Linked &lt;Ltd&gt;",
        "We did not create a new organization", "Ask a member of", "to invite you",
        "111122223333", "Its billing already runs through AWS Marketplace.");
    // Linked, but AWS has not confirmed yet: the one wording of that state.
    assertThat(render(view(OnboardingStep.DONE, OnboardingOutcome.ALREADY_LINKED, List.of(),
        new OrganizationRef("org-9", "Linked", "STARTER"), null, "linked")))
        .contains("It is billed through AWS Marketplace once AWS confirms your subscription.")
        .doesNotContain("already runs");
  }

  @ParameterizedTest
  @EnumSource(value = OnboardingOutcome.class, names = {"INVALID_TOKEN", "EXPIRED_TOKEN", "ABANDONED"})
  void aDeadLinkSendsTheCustomerBackToAwsToClickSetUpYourAccountAgain(OnboardingOutcome outcome) {
    String page = render(view(OnboardingStep.DONE, outcome, List.of(), null, null, "m"));

    assertThat(page).contains("Set up your account</strong> again", "Nothing was",
        "href=\"https://aws.example/listing?a=1&amp;b=2\"", "data-poll=\"0\"")
        .doesNotContain("class=\"steps\"");
  }

  @Test
  void theEndingsHaveTheirOwnHeadings() {
    assertThat(render(view(OnboardingStep.DONE, OnboardingOutcome.EXPIRED_TOKEN, List.of(), null,
        null, null))).contains("This sign-up link has expired");
    assertThat(render(view(OnboardingStep.DONE, OnboardingOutcome.WRONG_PRODUCT, List.of(), null,
        null, null))).contains("This link is for another product", "is not for Acme &lt;Cloud&gt;");
    assertThat(render(view(OnboardingStep.DONE, OnboardingOutcome.FAILED, List.of(), null,
        null, null))).contains("We could not finish connecting", "contact support",
        "111122223333");
    assertThat(render(view(OnboardingStep.DONE, OnboardingOutcome.ABANDONED, List.of(), null,
        null, null))).contains("This sign-up timed out");
  }
}
