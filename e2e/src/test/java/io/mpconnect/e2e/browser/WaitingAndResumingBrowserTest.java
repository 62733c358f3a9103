package io.mpconnect.e2e.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import io.mpconnect.e2e.browser.JourneyEnvironment.Person;
import io.mpconnect.persistence.Plan;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sign-up while AWS has not confirmed, and coming back to it. Here the developer mode sends
 * none of AWS's events by itself (DEVMODE_AUTO_SUBSCRIBE=false): each test sends them by hand
 * when it wants AWS to answer, as AWS would, late.
 */
class WaitingAndResumingBrowserTest extends BrowserJourneys {
  @Override
  String axeReport() {
    return "waiting-and-resuming.md";
  }

  @Override
  Map<String, String> settings() {
    return Map.of("DEVMODE_AUTO_SUBSCRIBE", "false");
  }

  /**
   * Connect answers at once although AWS has said nothing yet (the onboarding ends at the link);
   * the page then keeps looking, backing off, with no cut-off: after six minutes of waiting (the
   * page's clock fast-forwarded) it still picks up AWS's answer by itself, without a reload.
   */
  @Test
  void connectAnswersAtOnceAndThePageStillUpdatesWhenAwsConfirmsAfterSixMinutes() {
    page.clock().install();
    Person owner = env.person("Wendy Waiting");
    env.organization("Patience Ltd", Plan.STARTER, owner);
    String account = JourneyEnvironment.awsAccount();
    setUpYourAccount(account);
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);
    assertThat(heading()).hasText("Choose an organization");

    page.evaluate("() => { window.noFullReload = true; }");
    long clicked = System.nanoTime();
    Response connect = page.waitForResponse(
        r -> r.url().endsWith("/connect") && "POST".equals(r.request().method()),
        () -> page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).click());
    long answeredMillis = (System.nanoTime() - clicked) / 1_000_000;
    assertThat(connect.status()).isEqualTo(200);
    assertThat(heading()).hasText("Connected: waiting for AWS to confirm");
    long shownMillis = (System.nanoTime() - clicked) / 1_000_000;
    System.out.printf("[browser] connect while AWS has not confirmed: answered in %d ms,"
        + " confirmation page shown in %d ms%n", answeredMillis, shownMillis);
    // It waited up to 10 s for AWS before (the api waited for an onboarding waiting for AWS).
    assertThat(answeredMillis).as("the connect's answer, while AWS has not confirmed")
        .isLessThan(1_000);
    assertThat(page.locator("#billing-status")).containsText("this page updates by itself");
    shot("connected-waiting-for-aws");

    // Six minutes of nobody hearing from AWS: the page has looked again and again, and goes on.
    page.clock().runFor(6 * 60_000);
    assertThat(heading()).hasText("Connected: waiting for AWS to confirm");
    env.sendAwsEvent("agreement-created.json");
    env.sendAwsEvent("license-updated.json");
    for (int i = 0; i < 40 && !"You are all set".equals(heading().textContent()); i++) {
      page.clock().runFor(30_000);
      page.waitForTimeout(250);
    }
    assertThat(heading()).hasText("You are all set");
    assertThat(page.locator("#billing-status")).hasText("Billing now runs through AWS Marketplace.");
    assertThat(page.locator("dl.facts")).containsText(account);
    assertThat(page.evaluate("() => window.noFullReload === true"))
        .as("the page followed AWS's answer without a full reload").isEqualTo(true);
    shot("confirmed-after-six-minutes");
  }

  /**
   * The sign-up link in another browser (a reminder e-mail opened elsewhere, another device)
   * offers to sign in; the person who signed in to it continues where they were; anyone else is
   * refused, learns nothing of it, and is sent to their own organizations.
   */
  @Test
  void theOwnerResumesInAnotherBrowserAndAStrangerIsRefused() {
    Person owner = env.person("Rita Resume");
    env.organization("Resume Inc", Plan.STARTER, owner);
    Person stranger = env.person("Sam Stranger");
    env.organization("Stranger Things", Plan.STARTER, stranger);
    setUpYourAccount(JourneyEnvironment.awsAccount());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);
    assertThat(heading()).hasText("Choose an organization");
    String signupUrl = page.url();

    // Someone else opens the link: a way to sign in, and nothing of the onboarding.
    open(phone());
    page.navigate(signupUrl);
    assertThat(heading()).hasText("Sign in to continue");
    assertThat(page.locator("main")).not().containsText("Resume Inc");
    shot("resume-sign-in-to-continue");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(stranger);
    assertThat(heading()).hasText("This sign-up is not yours");
    assertThat(page.locator("main")).containsText("Set up your account");
    assertThat(page.locator("main")).not().containsText("Resume Inc");
    assertThat(page.locator("header")).containsText("Demo SaaS");
    shot("resume-refused-for-a-stranger");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Go to your organizations")).click();
    assertThat(heading()).hasText("Your organizations");
    assertThat(page.locator("main")).containsText("Stranger Things");
    assertThat(page.locator("main")).not().containsText("Resume Inc");

    // The owner, in yet another browser: back at the chooser, and connects.
    open(desktop());
    page.navigate(signupUrl);
    assertThat(heading()).hasText("Sign in to continue");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);
    assertThat(heading()).hasText("Choose an organization");
    assertThat(page.locator(".signed-in")).containsText("Rita Resume");
    assertThat(page.getByLabel(java.util.regex.Pattern.compile("^Resume Inc"))).isChecked();
    shot("resumed-in-another-browser");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect to Demo SaaS")).click();
    assertThat(heading()).hasText("Connected: waiting for AWS to confirm");

    // Signed out (in the console), the same link signs back in to the confirmation.
    page.navigate(env.baseUrl + "/organizations");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    page.navigate(signupUrl);
    assertThat(heading()).hasText("Sign in to continue");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(JourneyEnvironment.PROVIDER_BUTTON)).click();
    signInAtTheProvider(owner);
    assertThat(heading()).hasText("Connected: waiting for AWS to confirm");
    assertThat(page.locator("dl.facts")).containsText("Resume Inc");
  }
}
