package io.mpconnect.api.onboarding;

import static io.mpconnect.api.onboarding.SignupHtmlTest.CUSTOMER;
import static io.mpconnect.api.onboarding.SignupHtmlTest.ID;
import static io.mpconnect.api.onboarding.SignupHtmlTest.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gg.jte.Content;
import io.mpconnect.api.ApiSettings.OidcProviderSettings;
import io.mpconnect.api.console.BillingView;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Frame;
import io.mpconnect.api.web.Templates;
import io.mpconnect.persistence.BillingProvider;
import io.mpconnect.persistence.EntitlementRepository.Entitlement;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserOrganization;
import io.mpconnect.workflows.messages.IneligibleReason;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.MissingResourceException;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pages' templates (api/src/main/jte) and their copy (copy/pages.properties): every family
 * renders, what comes from outside is shown as text, and the copy has every key a page names.
 */
class PageTemplatesTest {
  static final String HOSTILE = "<script>alert(1)</script>";
  static final String ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";

  static void assertSafe(String html) {
    assertThat(html).doesNotContain(HOSTILE).contains(ESCAPED);
  }

  @Test
  void theFrameEscapesTheTitleBrandAndViewerAndCarriesTheNonceAndNoscriptRefresh() {
    Content main = out -> out.writeContent("<p id=\"content\">trusted</p>");
    String html = Templates.render("layout/frame.jte", Templates.params(
        "f", new Frame("T " + HOSTILE, HOSTILE, true,
            new Frame.Who(HOSTILE, "csrf", "tok\"en", "/organizations"), 7, "/assets/x.js",
            "n0nce"),
        "main", main));

    assertSafe(html);
    assertThat(html).startsWith("<!doctype html>\n<html lang=\"en\">")
        .contains("<title>T " + ESCAPED + "</title>")
        .contains("<a class=\"skip\" href=\"#main\">Skip to content</a>")
        .contains("<span class=\"brand\">" + ESCAPED + "</span>")
        .contains("<span class=\"badge\">AWS Marketplace</span>")
        .contains("Signed in as <strong>" + ESCAPED + "</strong>")
        .contains("value=\"tok&quot;en\"")
        .contains("<noscript><meta http-equiv=\"refresh\" content=\"7\"></noscript>")
        .contains("<script nonce=\"n0nce\" src=\"/assets/x.js\" defer></script>")
        .contains("<main id=\"main\" class=\"wrap\">\n<p id=\"content\">trusted</p>\n</main>");
    assertThat(Templates.render("layout/frame.jte",
        Templates.params("f", Frame.plain("T"), "main", main)))
        .doesNotContain("<header", "<noscript", "<script");
  }

  @Test
  void everySignupStateShowsAHostileOrganizationNameAsText() {
    List<OidcProviderSettings> providers =
        List.of(new OidcProviderSettings("google", "https://a.example", "c", null, HOSTILE, false));
    SignupHtml html = new SignupHtml(new SignupHtml.Settings("Vendor " + HOSTILE, providers,
        "https://aws.example/listing"));
    OrganizationOption eligible =
        new OrganizationOption("org-1", HOSTILE, "STARTER", "OWNER", true, null);
    OrganizationOption ineligible = new OrganizationOption(
        "org-2", HOSTILE, "STANDARD", "OWNER", false, IneligibleReason.NOT_STARTER_PLAN);
    OrganizationRef organization = new OrganizationRef("org-1", HOSTILE, "STARTER");
    for (OnboardingStep step : OnboardingStep.values()) {
      for (OnboardingOutcome outcome : step == OnboardingStep.DONE
          ? OnboardingOutcome.values() : new OnboardingOutcome[] {null}) {
        OnboardingView v = new OnboardingView(ID, step, outcome, CUSTOMER, USER,
            List.of(eligible, ineligible), organization,
            new OnboardingView.Subscription(SubscriptionStatus.PENDING), HOSTILE);
        String page = html.render(v, "csrf", new SignupHtml.Form(HOSTILE, "new", HOSTILE));

        assertThat(page).as("%s %s", step, outcome)
            .doesNotContain(HOSTILE).contains(ESCAPED).startsWith("<div id=\"signup\"")
            .contains("<h1 id=\"heading\" tabindex=\"-1\">");
      }
    }
    // What another browser sees: the providers (a hostile display name is text), nothing else.
    String elsewhere = Templates.render("signup/continue.jte",
        Templates.params("providers", providers, "onboardingId", ID));
    assertSafe(elsewhere);
    assertThat(elsewhere).contains("/auth/google/login?onboarding=" + ID).doesNotContain(HOSTILE);
  }

  @Test
  void theConsolePagesShowHostileNamesAsText() {
    UUID id = UUID.randomUUID();
    Frame frame = Frame.plain("Billing · " + HOSTILE);
    String organizations = Templates.render("console/organizations.jte", Templates.params(
        "f", frame, "organizations", List.of(
            new UserOrganization(id, HOSTILE, Plan.STARTER, Role.OWNER, "111122223333",
                LinkStatus.PENDING))));
    assertSafe(organizations);
    assertThat(organizations).contains("href=\"/organizations/" + id + "/billing\"",
        "Starter plan · Owner · Billed through AWS Marketplace once AWS confirms your subscription");

    Organization organization = new Organization(id, HOSTILE, Plan.STARTER, BillingProvider.NONE,
        null, Instant.parse("2026-01-01T00:00:00Z"));
    MarketplaceLink link = new MarketplaceLink("prod", "111122223333", "cust", id, "onb",
        Instant.parse("2026-03-03T10:00:00Z"), LinkStatus.PENDING, null);
    MarketplaceLicense license = new MarketplaceLicense("prod", "111122223333", "key", "arn",
        HOSTILE, MarketplaceLicense.Status.USABLE, null, null, null, true, HOSTILE, null, null, id,
        1, null);
    String linked = Templates.render("console/billing.jte", Templates.params("f", frame,
        "b", new BillingView(organization, link, true, HOSTILE, null, List.of(license),
            List.of(new Entitlement("prod", "111122223333", "k", null, HOSTILE, "STRING", HOSTILE,
                null, Instant.now())))));
    assertSafe(linked);
    assertThat(linked).contains("data-refresh=\"10\" data-refresh-key=\"PENDING\"",
        "<dd id=\"plan\">Starter (free) until AWS confirms your subscription</dd>",
        "<dd>3 March 2026</dd>", "<dd class=\"license-free-trial\">Yes</dd>", "No expiry");

    String connect = Templates.render("console/billing.jte", Templates.params("f", frame,
        "b", new BillingView(organization, null, true, HOSTILE, "https://aws.example/l?a=1&b=2",
            List.of(), List.of())));
    assertSafe(connect);
    assertThat(connect).contains("id=\"continue-to-marketplace\" href=\"https://aws.example/l?a=1&amp;b=2\"",
        "<li>Subscribe to " + ESCAPED + ".</li>");
  }

  @Test
  void theErrorPagesShowWhatWentWrongAsText() {
    assertSafe(Templates.render("pages/error.jte", Templates.params("message", HOSTILE)));
    assertThat(Templates.render("pages/error.jte", Templates.params()))
        .contains("<h1 tabindex=\"-1\">Something went wrong</h1>",
            "<p>We could not handle this request. Please try again in a moment.</p>");
    assertThat(Templates.render("pages/not-found.jte", Templates.params()))
        .contains("<title>Not found</title>", "There is nothing here.");
    assertSafe(Templates.render("auth/failed.jte",
        Templates.params("detail", HOSTILE, "onboarding", null, "back", null)));
    assertSafe(Templates.render("registration/elsewhere.jte",
        Templates.params("onboardingId", HOSTILE, "listingUrl", null)));
    assertSafe(Templates.render("pages/start-budget.jte", Templates.params(
        "wait", "3 seconds", "path", "/register", "fieldName", "token", "value", HOSTILE)));
    assertThat(Templates.render("pages/plain-error.jte",
        Templates.params("textKey", "plainError.headersTooLarge")))
        .startsWith("<!doctype html>")
        .contains("<p>The request headers are too large.</p>");
  }

  @Test
  void aMissingKeyFailsTheRenderLoudly() {
    assertThatThrownBy(() -> Copy.english().lookup("no.such.key"))
        .isInstanceOf(MissingResourceException.class);
    assertThatThrownBy(() -> Templates.render("console/message.jte", Templates.params(
        "f", Frame.plain("x"), "headingKey", "no.such.key", "bodyKey", "console.expired.body")))
        .hasRootCauseInstanceOf(MissingResourceException.class);
  }

  @Test
  void plainTextReplacesEachParameterOnce() {
    // An organization named "{1}" keeps its name in the title.
    assertThat(Copy.english().plain("console.title", "Billing · {1}", "Vendor"))
        .isEqualTo("Billing · {1} · Vendor");
  }

  /** Every key a template or the code names is in the copy, and every key in the copy is used. */
  @Test
  void theCopyHasEveryKeyThePagesNameAndNoOther() throws IOException {
    Properties copy = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/copy/pages.properties")) {
      copy.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
    }
    Set<String> prefixes = new TreeSet<>();
    copy.stringPropertyNames().forEach(k -> prefixes.add(k.substring(0, k.indexOf('.') + 1)));
    Pattern literal = Pattern.compile("\"([a-z][A-Za-z]*\\.[A-Za-z0-9.]+)\"");
    Set<String> named = new TreeSet<>();
    for (Path root : List.of(Path.of("src/main/jte"), Path.of("src/main/java"))) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Matcher m = literal.matcher(Files.readString(file));
          while (m.find()) {
            String key = m.group(1);
            if (prefixes.stream().anyMatch(key::startsWith)
                && !key.matches(".*\\.(js|css|svg|jte|properties)")) {
              named.add(key);
            }
          }
        }
      }
    }
    assertThat(copy.stringPropertyNames()).containsAll(named);
    assertThat(named).containsAll(copy.stringPropertyNames());
  }
}
