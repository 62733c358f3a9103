package io.mpconnect.e2e.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.mpconnect.e2e.browser.JourneyEnvironment.Person;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * What every browser test class shares: a browser context (cookies) of its own per test, the
 * steps of the journey a customer takes at the simulated AWS Marketplace and the development
 * provider, and the checks made of every page (screenshot into target/screenshots, axe-core at
 * desktop and phone width, the icon, no script dialogs, no console errors of our pages). One
 * instance per class (PER_CLASS), so the developer mode is started once per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrowserJourneys {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  /** The class's developer mode and browser, started once per class. */
  JourneyEnvironment env;
  /** The class's axe-core checks and report (target/axe/{@link #axeReport()}). */
  AxeChecks axe;

  /** The report file of this class's axe-core checks. */
  abstract String axeReport();

  /** Settings of the developer mode this class changes (none by default). */
  Map<String, String> settings() {
    return Map.of();
  }

  @BeforeAll
  void startEverything() throws IOException {
    Files.createDirectories(SCREENSHOTS);
    PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
    axe = new AxeChecks(axeReport());
    env = JourneyEnvironment.start(settings());
  }

  @AfterAll
  void stopEverything() {
    axe.write();
    if (env != null) {
      env.close();
    }
  }

  BrowserContext context;
  Page page;
  String testName;
  int shots;
  final List<String> dialogs = new CopyOnWriteArrayList<>();
  final List<String> accessibility = new CopyOnWriteArrayList<>();
  /** Errors in the console of our pages (a failed load, a refused script). */
  final List<String> consoleErrors = new CopyOnWriteArrayList<>();
  /**
   * Documents and fetches answered with an error: the tests ask for those (a refused name, a
   * missing CSRF token) and check them; the console's "failed to load" for them is expected.
   */
  final Set<String> expectedFailures = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void newBrowserContext(TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
    shots = 0;
    dialogs.clear();
    accessibility.clear();
    consoleErrors.clear();
    expectedFailures.clear();
    open(desktop());
  }

  @AfterEach
  void closeBrowserContext() {
    if (context != null) {
      context.close();
    }
    assertThat(dialogs).as("no script may run from data: dialogs opened").isEmpty();
    assertThat(accessibility).as("serious or critical axe-core violations (target/axe/)")
        .isEmpty();
    assertThat(consoleErrors.stream()
        .filter(e -> expectedFailures.stream().noneMatch(e::contains)).toList())
        .as("errors in the browser console of our pages").isEmpty();
  }

  // ---- the customer's steps and the page checks ----

  /** The simulated AWS Marketplace: subscribe as {@code account}, click "Set up your account". */
  void setUpYourAccount(String account) {
    page.navigate(env.baseUrl + "/dev/marketplace?account=" + account);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set up your account")).click();
    assertThat(page).hasURL(Pattern.compile(".*/signup/[0-9a-f]{32}$"));
  }

  /** The development provider's login form: the user name is the e-mail address. */
  void signInAtTheProvider(Person person) {
    signInAtTheProvider(person.email(), "{\"name\": \"" + person.name() + "\"}");
  }

  void signInAtTheProvider(String email, String claims) {
    page.locator("input[name=username]").fill(email);
    page.locator("textarea[name=claims]").fill(claims);
    if (axe.firstCheckOf("dev-oidc-login")) {
      axe.check(page, testName, "dev-oidc-login", false);
    }
    page.locator("input[type=submit]").click();
  }

  Locator heading() {
    return page.locator("h1");
  }

  static Browser.NewContextOptions desktop() {
    return new Browser.NewContextOptions().setViewportSize(AxeChecks.DESKTOP_WIDTH, 820);
  }

  static Browser.NewContextOptions phone() {
    return new Browser.NewContextOptions().setViewportSize(AxeChecks.PHONE_WIDTH, 844).setIsMobile(true)
        .setHasTouch(true);
  }

  void open(Browser.NewContextOptions options) {
    if (context != null) {
      context.close();
    }
    context = env.browser.newContext(options);
    page = context.newPage();
    page.onDialog(dialog -> {
      dialogs.add(dialog.type() + ": " + dialog.message());
      dialog.dismiss();
    });
    Page watched = page;
    watched.onResponse(response -> {
      String type = response.request().resourceType();
      if (response.status() < 400) {
        return;
      }
      if ("document".equals(type) || "fetch".equals(type)) {
        expectedFailures.add(response.url());
      } else if (response.url().startsWith(env.baseUrl)) {
        // An icon, a stylesheet, a script: nothing the page links may be missing.
        consoleErrors.add(response.status() + " " + type + " " + response.url());
      }
    });
    watched.onConsoleMessage(message -> {
      if ("error".equals(message.type()) && watched.url().startsWith(env.baseUrl)) {
        consoleErrors.add(message.text() + " at " + message.location());
      }
    });
  }

  /**
   * Photographs the state, checks it with axe-core at both widths, and checks that its icon
   * loads: the link in the page and {@code /favicon.ico}, which browsers ask for regardless.
   */
  void shot(String state) {
    shot(state, null);
  }

  /**
   * As {@link #shot(String)}, and the image docs/journey.md shows of this state, {@code
   * docsImage} under docs/images: each run of the tests regenerates the guide's screenshots.
   */
  void shot(String state, String docsImage) {
    shots++;
    byte[] png = page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
        .setPath(SCREENSHOTS.resolve(testName + "-" + String.format("%02d", shots) + "-" + state + ".png")));
    if (docsImage != null) {
      Path docs = Path.of(System.getProperty("e2e.repositoryRoot", "..")).resolve("docs/images");
      try {
        Files.createDirectories(docs);
        Files.write(docs.resolve(docsImage), png);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    accessibility.addAll(axe.check(page, testName, state, true));
    Object icons = page.evaluate("async () => {"
        + " const link = document.querySelector('link[rel=icon]');"
        + " if (!link) { return 'no link rel=icon'; }"
        + " const [linked, ico] = await Promise.all([fetch(link.href), fetch('/favicon.ico')]);"
        + " return linked.status + ' ' + linked.headers.get('content-type') + ', ' + ico.status; }");
    assertThat(icons).as("the icon of " + state).isEqualTo("200 image/svg+xml, 200");
  }
}
