package io.mpconnect.e2e.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.RequestOptions;
import io.mpconnect.e2e.browser.JourneyEnvironment.Person;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The customer journey of the brief, walked in headless Chromium against the whole product in
 * developer mode: the console's billing page, the simulated AWS "Set up your account", the
 * development OIDC provider's login form, the sign-up page through every state a customer can
 * reach, and back to the console. Each test has its own people, organizations and AWS account,
 * and its own browser context (cookies), so tests do not depend on each other's order. Every
 * state is photographed into target/screenshots and checked with axe-core at desktop and phone
 * width (target/axe/report.md); no serious or critical violation, no failed load in the console.
 */
class SignupJourneyBrowserTest extends BrowserJourneys {
  static final Pattern CONNECTED_HEADING =
      Pattern.compile("You are all set|Connected: waiting for AWS to confirm");
  static final Pattern AWS_BILLING = Pattern.compile(
      "Billed through AWS Marketplace|Connected to AWS Marketplace: waiting for AWS to confirm");

  @Override
  String axeReport() {
    return "report.md";
  }

  // ---- the journeys ----

  @Test
  void anOwnerConnectsAnExistingStarterOrganizationFromTheConsoleBillingPage() {
    Person owner = env.person("Olivia Owner");
    // Everyone's list holds only their own organizations, so names need not differ between tests.
    UUID eligible = env.organization("Acme Analytics", Plan.STARTER, owner);
    env.organization("Acme Enterprise", Plan.STANDARD, owner);
    UUID shared = env.organization("Globex Research", Plan.STARTER, env.person("Oscar Other"));
    env.member(shared, owner, Role.MEMBER);
    UUID linked = env.organization("Initech", Plan.STARTER, owner);
    String pendingAccount = env.linkedAccount(linked, false);
    // Confirmed by AWS, so on the paid plan now: still refused as connected, not for its plan.
    UUID umbrella = env.organization("Umbrella", Plan.STARTER, owner);
    String confirmedAccount = env.linkedAccount(umbrella, true);
    String account = JourneyEnvironment.awsAccount();

    // Console: Settings > Billing, before.
    page.navigate(env.baseUrl + "/organizations/" + eligible + "/billing");
    assertThat(heading()).hasText("Sign in to Demo SaaS");
    shot("console-sign-in");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);
    assertThat(heading()).hasText("Billing");
    assertThat(page.locator("#plan")).hasText("Starter (free)");
    assertThat(page.locator("#billing-provider")).hasText("None (free plan)");
    shot("console-billing-before");
    page.getByText("Connect to cloud marketplace").click();
    assertThat(page.getByLabel("Amazon Web Services")).isChecked();
    shot("console-connect-choice", "console-billing.png");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Continue to marketplace")).click();

    // AWS Marketplace (simulated): subscribe as this test's AWS account, "Set up your account".
    assertThat(heading()).hasText("AWS Marketplace (simulated)");
    shot("aws-marketplace-simulated");
    page.getByLabel("AWS account id").fill(account);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Use this account")).click();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set up your account")).click();

    // The sign-up page.
    assertThat(heading()).hasText("Choose an authentication method");
    assertThat(page.getByText("AWS account " + account)).isVisible();
    assertThat(page.getByText("Use the same method as your existing Demo SaaS organization")).isVisible();
    shot("signup-choose-authentication", "signup-sign-in.png");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);

    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.getByText("Signed in as Olivia Owner")).isVisible();
    assertThat(page.getByText("Use another sign-in method").first()).isVisible();
    assertThat(page.getByLabel(Pattern.compile("^Acme Analytics"))).isEnabled();
    assertThat(page.getByLabel(Pattern.compile("^Acme Analytics"))).isChecked();
    assertIneligible("Acme Enterprise", "It is not on the Starter plan");
    assertIneligible("Globex Research", "You are not an owner of this organization");
    assertIneligible("Initech", "It is already connected (AWS account " + pendingAccount + ")");
    assertIneligible("Umbrella", "It is already connected (AWS account " + confirmedAccount + ")");
    assertThat(page.locator("#ineligible li", new Page.LocatorOptions().setHasText("Umbrella")))
        .not().containsText("Starter plan: only");
    assertThat(page.locator("label[for=choice-new] .meta"))
        .hasText("Billed through AWS Marketplace once AWS confirms your subscription");
    assertFormBeforeIneligible();
    shot("signup-choose-organization", "signup-organizations.png");

    page.evaluate("() => { window.noFullReload = true; }");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).click();
    assertThat(heading()).hasText(CONNECTED_HEADING);
    assertThat(page.locator("dl.facts")).containsText("Acme Analytics");
    assertThat(page.locator("dl.facts")).containsText(account);
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Next steps"))).isVisible();
    assertThat(page.evaluate("() => window.noFullReload === true"))
        .as("the page followed the workflow without a full reload").isEqualTo(true);
    shot("signup-confirmation");

    // A refresh shows the same state; and a stale copy catches up by itself, without a reload.
    String confirmed = heading().textContent();
    page.reload();
    assertThat(heading()).hasText(confirmed);
    aStaleCopyOfThePageCatchesUpByItself(confirmed);

    // Console: Settings > Billing, after.
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions()
        .setName("Open the billing settings of Acme Analytics")).click();
    assertThat(heading()).hasText("Billing");
    assertThat(page.locator("#billed-by")).hasText(AWS_BILLING);
    assertThat(page.locator("#aws-account")).hasText(account);
    assertThat(page.getByText("Connect to cloud marketplace")).hasCount(0);
    shot("console-billing-after");

    // An organization AWS has not confirmed yet: one wording for plan and billing, not "free".
    page.navigate(env.baseUrl + "/organizations/" + linked + "/billing");
    assertThat(page.locator("#billed-by")).containsText("waiting for AWS to confirm");
    assertThat(page.locator("#plan")).hasText("Starter (free) until AWS confirms your subscription");
    assertThat(page.locator("#billing-provider"))
        .hasText("Billed through AWS Marketplace once AWS confirms your subscription");
    shot("console-billing-waiting-for-aws");
    page.navigate(env.baseUrl + "/organizations");
    assertThat(heading()).hasText("Your organizations");
    assertThat(page.locator("section.card", new Page.LocatorOptions().setHasText("Initech")))
        .containsText("Billed through AWS Marketplace once AWS confirms your subscription");
    shot("console-organizations");
  }

  @Test
  void aNewCustomerCreatesANewOrganizationOnAPhone() {
    open(phone());
    Person customer = env.person("Nina New");
    UUID theirs = env.organization("Globex", Plan.STARTER, env.person("Oscar Other"));
    env.member(theirs, customer, Role.MEMBER);

    setUpYourAccount(JourneyEnvironment.awsAccount());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(customer);

    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.getByText("None of this sign-in's organizations can be connected")).isVisible();
    assertThat(page.getByText("sign in with another method")).isVisible();
    assertThat(page.getByLabel(Pattern.compile("^Create a new organization"))).isChecked();
    assertIneligible("Globex", "You are not an owner of this organization");
    assertFormBeforeIneligible();
    shot("signup-no-eligible-organization");

    // Refusals are shown next to the form: the page's own check, then the workflow's validator.
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).click();
    assertThat(page.locator("#connect-error")).hasText("Enter a name for the new organization.");
    page.getByLabel("Organization name").fill("globex");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).click();
    assertThat(page.locator("#connect-error"))
        .hasText("You already have an organization named \"globex\"; choose another name.");
    assertThat(page.getByLabel("Organization name")).hasAttribute("aria-invalid", "true");
    shot("signup-name-refused");

    // A pasted name over the limit is refused whole, with the rule: never cut to fit.
    String tooLong = "Fresh Start Analytics and Research Laboratories of the Greater Metropolitan Area";
    assertThat(tooLong.length()).isGreaterThan(64);
    page.getByLabel("Organization name").fill(tooLong);
    assertThat(page.getByLabel("Organization name")).hasValue(tooLong);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).click();
    assertThat(page.locator("#connect-error"))
        .hasText("The organization name may have at most 64 characters.");
    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.getByLabel("Organization name")).hasValue(tooLong);
    shot("signup-name-too-long");

    // Keyboard only: type the name and press Enter.
    page.getByLabel("Organization name").fill("Fresh Start");
    page.getByLabel("Organization name").press("Enter");
    assertThat(heading()).hasText(CONNECTED_HEADING);
    assertThat(page.locator("dl.facts")).containsText("Fresh Start");
    assertThat(heading()).isFocused();
    shot("signup-confirmation-new-organization", "signup-confirmation-phone.png");
  }

  /**
   * A provider that sends no name (the development provider without claims) leaves the user's
   * display name as it was: it used to become the e-mail address.
   */
  @Test
  void signingInWithoutANameKeepsTheDisplayName() {
    Person person = env.person("Dana Display");
    env.organization("Display Co", Plan.STARTER, person);

    setUpYourAccount(JourneyEnvironment.awsAccount());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(person.email(), "{}");

    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.locator(".signed-in"))
        .containsText("Signed in as Dana Display (" + person.email() + ")");
    assertThat(env.displayName(person)).isEqualTo("Dana Display");
    shot("signup-signed-in-without-a-name");

    // Someone new whose provider sends no name is shown by e-mail address, once.
    open(phone());
    setUpYourAccount(JourneyEnvironment.awsAccount());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    String newcomer = "nameless." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    signInAtTheProvider(newcomer, "{}");
    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.locator(".signed-in")).containsText("Signed in as " + newcomer + " with");
    assertThat(page.locator(".signed-in")).not().containsText("(" + newcomer + ")");
    shot("signup-new-user-without-a-name");
  }

  @Test
  void anAwsAccountThatIsAlreadySubscribedIsToldToAskForAnInvitation() {
    open(phone());
    UUID organization = env.organization("Linked Ltd", Plan.STARTER, env.person("Lena Linked"));
    String account = env.linkedAccount(organization, true);

    setUpYourAccount(account);

    assertThat(heading()).hasText("This AWS account is already subscribed");
    assertThat(page.getByText("We did not create a new organization")).isVisible();
    assertThat(page.locator("section.card")).containsText("Linked Ltd");
    assertThat(page.getByText("to invite you")).isVisible();
    shot("signup-already-subscribed", "signup-already-subscribed-phone.png");
  }

  @Test
  void anExpiredOrForeignLinkSaysWhatToDoAndIsNotShownToAnotherBrowser() {
    page.navigate(env.baseUrl + "/dev/marketplace");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Try an expired link")).click();

    assertThat(heading()).hasText("This sign-up link has expired");
    assertThat(page.getByText("Nothing was set up and nothing was charged")).isVisible();
    assertThat(page.locator("section.card")).containsText("Set up your account again");
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Go to AWS Marketplace"))).isVisible();
    shot("signup-expired-link");

    String signupUrl = page.url();
    try (BrowserContext other = env.browser.newContext(desktop())) {
      Page stranger = other.newPage();
      Response response = stranger.navigate(signupUrl);
      // Only a way to sign in (which lets nobody but its owner in): nothing of the onboarding.
      assertThat(response.status()).isEqualTo(200);
      assertThat(stranger.locator("h1")).hasText("Sign in to continue");
      assertThat(stranger.content()).doesNotContain("expired", "Exception");
    }

    page.navigate(env.baseUrl + "/dev/marketplace");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Try another product's link")).click();
    assertThat(heading()).hasText("This link is for another product");
    assertThat(page.locator("section.card")).containsText("is not for Demo SaaS");
    shot("signup-wrong-product");
  }

  // ---- safety ----

  @Test
  void aScriptInAnOrganizationNameIsShownAsTextEverywhere() {
    Person owner = env.person("Mallory Markup");
    String name = "<img src=x onerror=alert(1)><script>alert(\"xss\")</script>";
    env.organization(name, Plan.STARTER, owner);

    setUpYourAccount(JourneyEnvironment.awsAccount());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);

    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.getByText(name)).isVisible();
    assertThat(page.locator("img")).hasCount(0);
    shot("signup-markup-as-text");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).click();
    assertThat(heading()).hasText(CONNECTED_HEADING);
    assertThat(page.locator("dl.facts").getByText(name)).isVisible();
    assertThat(page.locator("img")).hasCount(0);

    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(Pattern.compile("^Open the billing settings of"))).click();
    assertThat(heading()).hasText("Billing");
    assertThat(page.locator("dl.facts").getByText(name)).isVisible();
    assertThat(page.locator("img")).hasCount(0);
    shot("console-markup-as-text");
    // dialogs are checked after each test
  }

  @Test
  void aConnectRequestWithoutTheCsrfTokenIsRefusedAndChangesNothing() {
    Person owner = env.person("Carl Csrf");
    env.organization("Csrf Corp", Plan.STARTER, owner);
    setUpYourAccount(JourneyEnvironment.awsAccount());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);
    assertThat(heading()).hasText("Choose an organization");
    String id = page.url().replaceAll(".*/signup/", "");
    String organizationId = (String) page.evaluate(
        "() => document.querySelector('input[name=choice]:checked').value");

    // From the page itself (same origin, with the session cookie), without and with a wrong header.
    Object withoutHeader = page.evaluate("([id, org]) => fetch('/api/onboardings/' + id + '/connect',"
        + " {method: 'POST', headers: {'Content-Type': 'application/json'},"
        + " body: JSON.stringify({organizationId: org})}).then(r => r.status)", List.of(id, organizationId));
    Object wrongHeader = page.evaluate("([id, org]) => fetch('/api/onboardings/' + id + '/connect',"
        + " {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': 'guess'},"
        + " body: JSON.stringify({organizationId: org})}).then(r => r.status)", List.of(id, organizationId));
    APIResponse direct = context.request().post(env.baseUrl + "/api/onboardings/" + id + "/connect",
        RequestOptions.create().setHeader("Content-Type", "application/json")
            .setData("{\"organizationId\":\"" + organizationId + "\"}"));
    assertThat(withoutHeader).isEqualTo(403);
    assertThat(wrongHeader).isEqualTo(403);
    assertThat(direct.status()).isEqualTo(403);

    // The plain form without its hidden token.
    Response refused = page.waitForResponse(
        r -> r.url().endsWith("/signup/" + id) && "POST".equals(r.request().method()),
        () -> page.evaluate("() => { const f = document.getElementById('connect');"
            + " f.querySelector('input[name=csrf]').remove(); f.submit(); }"));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(heading()).hasText("This form has expired");
    shot("csrf-refused");

    page.navigate(env.baseUrl + "/signup/" + id);
    assertThat(heading()).hasText("Choose an organization");
  }

  // ---- helpers ----

  /** Listed after the form with its reason, and not a choice. */
  private void assertIneligible(String name, String reason) {
    // plain names: letters, digits, spaces
    assertThat(page.getByRole(AriaRole.RADIO,
        new Page.GetByRoleOptions().setName(Pattern.compile("^" + name)))).hasCount(0);
    assertThat(page.locator("#ineligible li", new Page.LocatorOptions().setHasText(name)))
        .containsText(reason);
  }

  /** On a phone as on a desktop, the new organization's form comes before what cannot be chosen. */
  private void assertFormBeforeIneligible() {
    double form = page.getByLabel("Organization name").boundingBox().y;
    double button = page.getByRole(AriaRole.BUTTON,
        new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).boundingBox().y;
    double ineligible = page.locator(".option.disabled").first().boundingBox().y;
    assertThat(form).as("the name field above the first ineligible organization")
        .isLessThan(ineligible);
    assertThat(button).as("the Connect button above the first ineligible organization")
        .isLessThan(ineligible);
  }

  /**
   * Serves the page once with its state attributes and heading tampered (as a cached copy from
   * before a change would be): the script sees the JSON view disagree and swaps the page's content
   * for the current one, without a reload.
   */
  private void aStaleCopyOfThePageCatchesUpByItself(String currentHeading) {
    String url = page.url();
    AtomicBoolean stale = new AtomicBoolean(true);
    page.route(url, route -> {
      if (!route.request().isNavigationRequest() || !stale.getAndSet(false)) {
        route.resume();
        return;
      }
      APIResponse response = route.fetch();
      String body = response.text()
          .replaceFirst("data-subscription=\"[A-Z_]*\"", "data-subscription=\"STALE\"")
          .replaceFirst("data-poll=\"\\d+\"", "data-poll=\"1500\"")
          .replaceFirst("(<h1[^>]*>)[^<]*(</h1>)", "$1A stale copy$2");
      route.fulfill(new Route.FulfillOptions().setResponse(response).setBody(body));
    });
    page.reload();
    assertThat(heading()).hasText("A stale copy");
    page.evaluate("() => { window.noFullReload = true; }");
    assertThat(heading()).hasText(currentHeading);
    assertThat(page.evaluate("() => window.noFullReload === true")).isEqualTo(true);
    page.unrouteAll();
  }
}
