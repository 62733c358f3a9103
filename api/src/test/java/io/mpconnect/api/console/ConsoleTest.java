package io.mpconnect.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.api.auth.ReturnPath;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.LicenseRepository;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.standins.EmbeddedDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's billing page over HTTP: a real PostgreSQL (read through the api's read-only pool),
 * a real OIDC provider for the console sign-in, and the api. Temporal is not needed here: the
 * console only reads.
 */
public class ConsoleTest {
  static final String PROVIDER = "mock";
  static final String LISTING = "https://aws.amazon.com/marketplace/pp/prodview-test";
  static final String PRODUCT = "prod-console-test";

  static EmbeddedDatabase postgres;
  static Database database;
  static MockOAuth2Server oidc;
  static WorkflowServiceStubs temporal;
  static ApiServer api;
  static String apiBase;
  static String issuer;
  static DatabaseSettings databaseSettings;

  @BeforeAll
  static void startEverything() throws IOException {
    postgres = EmbeddedDatabase.start();
    databaseSettings = new DatabaseSettings(postgres.createDatabase("console"),
        EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD);
    database = Database.connect(databaseSettings, 2);

    oidc = new MockOAuth2Server(new OAuth2Config(true));
    oidc.start(InetAddress.getLoopbackAddress(), 0);
    issuer = "http://127.0.0.1:" + oidc.baseUrl().port() + "/" + PROVIDER;
    // Never called: the console does not use Temporal, and these stubs connect lazily.
    temporal = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());

    int port = freePort();
    apiBase = "http://127.0.0.1:" + port;
    api = new ApiServer(settings(port, databaseSettings.jdbcUrl()),
        WorkflowClient.newInstance(temporal)).start();
  }

  static ApiSettings settings(int port, String databaseUrl) {
    Map<String, String> env = new HashMap<>(Map.ofEntries(
        Map.entry("API_HOST", "127.0.0.1"),
        Map.entry("API_PORT", Integer.toString(port)),
        Map.entry("PUBLIC_BASE_URL", "http://127.0.0.1:" + port),
        Map.entry("SESSION_SECRET", "console-test-session-secret-long-enough-0123456789"),
        Map.entry("PAYLOAD_KEYS", PayloadKeys.newKeySetting("test")),
        Map.entry("OIDC_PROVIDERS", PROVIDER),
        Map.entry("OIDC_MOCK_ISSUER", issuer),
        Map.entry("OIDC_MOCK_CLIENT_ID", "mpconnect-test"),
        Map.entry("OIDC_MOCK_CLIENT_SECRET", "test-secret"),
        Map.entry("OIDC_MOCK_NAME", "Mock ID"),
        Map.entry("VENDOR_NAME", "Acme Cloud"),
        Map.entry("MARKETPLACE_LISTING_URL", LISTING),
        Map.entry("DATABASE_URL", databaseUrl),
        Map.entry("DATABASE_USER", EmbeddedDatabase.USER),
        Map.entry("DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD)));
    return ApiSettings.from(new Env(env));
  }

  @AfterAll
  static void stopEverything() {
    if (api != null) {
      api.stop();
    }
    if (temporal != null) {
      temporal.shutdownNow();
    }
    if (oidc != null) {
      oidc.shutdown();
    }
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void anAnonymousVisitorIsOfferedASignInThatReturnsToTheBillingPage() {
    UUID organization = organization("Anonymous Test", Plan.STARTER);
    String path = "/organizations/" + organization + "/billing";

    HttpResponse<String> page = new Browser().get(path);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Sign in to Acme Cloud", "Sign in with Mock ID",
            "/auth/mock/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8))
        .doesNotContain("Anonymous Test");
  }

  @Test
  void theOwnerOfAStarterOrganizationSeesPlanProviderAndTheConnectActionLeadingToTheListing() {
    Person owner = person("Olive Owner");
    UUID organization = organization("Starter <script>alert(1)</script> & Co", Plan.STARTER);
    member(organization, owner, Role.OWNER);
    Browser browser = new Browser();

    HttpResponse<String> page = signInTo(browser, owner, "/organizations/" + organization + "/billing");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("Starter (free)", "None (free plan)", "Connect to cloud marketplace",
            "Amazon Web Services", "href=\"" + LISTING + "\"", "Continue to marketplace",
            "Signed in as <strong>Olive Owner</strong>",
            "Starter &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co")
        .doesNotContain("<script>alert(1)", "Billed through AWS Marketplace");
  }

  @Test
  void aMemberSeesTheStatusButNotTheAction() {
    Person member = person("Mo Member");
    UUID organization = organization("Members Only", Plan.STARTER);
    member(organization, person("Someone Else"), Role.OWNER);
    member(organization, member, Role.MEMBER);

    String body = signInTo(new Browser(), member, "/organizations/" + organization + "/billing").body();

    assertThat(body).contains("Starter (free)", "Only owners can connect", "Member")
        .doesNotContain("Connect to cloud marketplace", LISTING);
  }

  @Test
  void aStandardOrganizationIsBilledDirectlyAndCannotBeConnected() {
    Person owner = person("Stan Dard");
    UUID organization = organization("Big Spender", Plan.STANDARD);
    member(organization, owner, Role.OWNER);

    String body = signInTo(new Browser(), owner, "/organizations/" + organization + "/billing").body();

    assertThat(body).contains("Standard (pay as you go)", "Acme Cloud (invoiced directly)",
            "Only organizations on the free Starter plan can be connected")
        .doesNotContain("Connect to cloud marketplace");
  }

  @Test
  void aConnectedOrganizationIsBilledThroughAwsMarketplaceWithItsAwsAccount() {
    Person owner = person("Cora Connected");
    UUID organization = organization("Connected Corp", Plan.STARTER);
    member(organization, owner, Role.OWNER);
    String account = link(organization, true);

    String body = signInTo(new Browser(), owner, "/organizations/" + organization + "/billing").body();

    assertThat(body).contains("Billed through AWS Marketplace", account, "Active",
            "Standard (pay as you go)", "<dd id=\"billing-provider\">AWS Marketplace</dd>")
        .doesNotContain("Connect to cloud marketplace", "http-equiv=\"refresh\"");
  }

  @Test
  void aConnectedOrganizationShowsItsAwsMarketplaceLicensesEscaped() {
    Person owner = person("Lena Licenses");
    UUID organization = organization("Licensed Ltd", Plan.STARTER);
    member(organization, owner, Role.OWNER);
    String account = link(organization, true);
    new LicenseRepository(database.jdbi()).save(new LicenseRepository.LicenseSet(PRODUCT, account,
        organization, java.util.List.of(
            new LicenseRepository.Entry("agmt-trial", "arn:aws:license-manager::1:license/l-t",
                "agmt-trial", MarketplaceLicense.Status.USABLE,
                Instant.parse("2026-06-03T10:00:00Z"), null, null, true,
                "offer-<b>private</b>&1", "NEW", null),
            new LicenseRepository.Entry("agmt-gone", "arn:aws:license-manager::1:license/l-g",
                "agmt-gone", MarketplaceLicense.Status.ENDED,
                Instant.parse("2026-01-15T00:00:00Z"), Instant.parse("2026-05-31T00:00:00Z"),
                Instant.parse("2026-05-31T01:00:00Z"), false, null, "NEW", "EXPIRED")), 4));

    String body = signInTo(new Browser(), owner, "/organizations/" + organization + "/billing").body();

    assertThat(body).contains("AWS Marketplace licenses",
            "<dl class=\"facts license\" data-status=\"USABLE\">",
            "<dd class=\"license-status\">Active</dd>",
            "<dd class=\"license-free-trial\">Yes</dd>",
            "<dd class=\"license-offer\">offer-&lt;b&gt;private&lt;/b&gt;&amp;1</dd>",
            "<dd class=\"license-usable-from\">3 June 2026</dd>",
            "<dd class=\"license-agreement\">agmt-trial</dd>",
            "<dl class=\"facts license\" data-status=\"ENDED\">",
            "<dd class=\"license-status\">Ended</dd>",
            "<dd class=\"license-free-trial\">No</dd>",
            "<dd class=\"license-ended\">31 May 2026</dd>")
        .doesNotContain("<b>private</b>");
    assertThat(body.indexOf("agmt-trial")).as("newest first")
        .isLessThan(body.indexOf("agmt-gone"));
  }

  @Test
  void aConnectedOrganizationWithoutStoredLicensesShowsNoLicenses() {
    Person owner = person("Nora Nolicense");
    UUID organization = organization("Unlicensed Inc", Plan.STARTER);
    member(organization, owner, Role.OWNER);
    link(organization, true);

    String body = signInTo(new Browser(), owner, "/organizations/" + organization + "/billing").body();

    assertThat(body).contains("Billed through AWS Marketplace")
        .doesNotContain("AWS Marketplace license", "id=\"licenses\"");
  }

  @Test
  void aSubscriptionAwsHasNotConfirmedSaysSoAndTheBillingPageLooksAgain() {
    Person owner = person("Penny Pending");
    UUID organization = organization("Pending Partners", Plan.STARTER);
    member(organization, owner, Role.OWNER);
    String account = link(organization, false);

    Browser browser = new Browser();
    String body = signInTo(browser, owner, "/organizations/" + organization + "/billing").body();

    assertThat(body).contains("waiting for AWS to confirm your subscription", account,
            "http-equiv=\"refresh\"")
        .doesNotContain("Connect to cloud marketplace");
    // A timed reload only without scripts (axe: meta-refresh, critical); the script reloads
    // when the status moved.
    assertThat(body).contains("<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>",
            "data-refresh=\"10\" data-refresh-key=\"PENDING\"", "/assets/refresh.js?v=")
        .doesNotContainPattern("(?<!<noscript>)<meta http-equiv=\"refresh\"");
    // One wording while AWS has not confirmed: not "free plan" beside "connected", and not
    // "billed through AWS Marketplace" on the list before it is.
    assertThat(body)
        .contains("<dd id=\"plan\">Starter (free) until AWS confirms your subscription</dd>",
            "<dd id=\"billing-provider\">Billed through AWS Marketplace once AWS confirms your"
                + " subscription</dd>")
        .doesNotContain("None (free plan)");
    assertThat(browser.get("/organizations").body())
        .contains("Starter plan · Owner · Billed through AWS Marketplace once AWS confirms your"
            + " subscription");
  }

  @Test
  void aNonMemberAnUnknownOrganizationAndAMalformedIdAllGet404() {
    Person outsider = person("Otto Outsider");
    UUID foreign = organization("Not Yours", Plan.STARTER);
    member(foreign, person("The Owner"), Role.OWNER);
    Browser browser = new Browser();
    signInTo(browser, outsider, "/organizations");

    for (String path : new String[] {"/organizations/" + foreign + "/billing",
        "/organizations/" + UUID.randomUUID() + "/billing",
        "/organizations/" + foreign.toString().toUpperCase() + "/billing",
        "/organizations/not-a-uuid/billing"}) {
      HttpResponse<String> page = browser.get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(404);
      assertThat(page.body()).as(path).contains("Organization not found")
          .doesNotContain("Not Yours", "Exception");
    }
  }

  @Test
  void aSignInWeHaveNeverSeenBelongsToNoOrganization() {
    Browser browser = new Browser();
    UUID organization = organization("Somebody's", Plan.STARTER);

    HttpResponse<String> list = signInTo(browser, new Person("stranger-" + hex(), "Stranger"),
        "/organizations");

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("belongs to no organization yet", "Sign out");
    assertThat(browser.get("/organizations/" + organization + "/billing").statusCode())
        .isEqualTo(404);
  }

  @Test
  void theOrganizationsPageListsTheUsersOrganizationsWithTheirBillingLinks() {
    Person owner = person("Liz List");
    UUID first = organization("Alpha " + hex(), Plan.STARTER);
    UUID second = organization("Beta " + hex(), Plan.STANDARD);
    member(first, owner, Role.OWNER);
    member(second, owner, Role.MEMBER);

    String body = signInTo(new Browser(), owner, "/organizations").body();

    assertThat(body).contains("/organizations/" + first + "/billing",
        "/organizations/" + second + "/billing", "Starter plan · Owner", "Standard plan · Member");
  }

  @Test
  void aConsoleSignInOnlyReturnsToPathsOnThisSite() {
    Browser browser = new Browser();
    for (String next : new String[] {"//evil.example/x", "https://evil.example/",
        "/\\evil.example", "/organizations?x=1", "organizations", "/a/../..//evil", ""}) {
      HttpResponse<String> login = browser.get(
          "/auth/mock/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
      assertThat(login.statusCode()).as(next).isEqualTo(404);
    }
    assertThat(browser.get("/auth/mock/login").statusCode()).isEqualTo(404);
    assertThat(browser.get("/auth/nosuch/login?next=/organizations").statusCode()).isEqualTo(404);
    assertThat(ReturnPath.isSafe("/organizations/" + UUID.randomUUID() + "/billing")).isTrue();
  }

  @Test
  void signingOutNeedsTheSessionsCsrfTokenAndForgetsWhoSignedIn() {
    Person owner = person("Sid Signout");
    Browser browser = new Browser();
    String page = signInTo(browser, owner, "/organizations").body();
    String token = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");

    HttpResponse<String> forged = browser.postForm("/auth/signout",
        form(Map.of("csrf", "forged", "next", "/organizations")));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(browser.get("/organizations").body()).contains("Sid Signout");

    HttpResponse<String> signedOut = browser.postForm("/auth/signout",
        form(Map.of("csrf", token, "next", "/organizations")));
    assertThat(signedOut.statusCode()).isEqualTo(303);
    assertThat(signedOut.headers().firstValue("Location")).contains("/organizations");
    assertThat(browser.get("/organizations").body()).contains("Sign in with Mock ID")
        .doesNotContain("Sid Signout");
  }

  @Test
  void theSessionCookieOfAConsoleSignInIsHttpOnlyAndSameSite() {
    Person owner = person("Coco Cookie");
    Browser browser = new Browser();
    signInTo(browser, owner, "/organizations");

    assertThat(browser.setCookies).anySatisfy(cookie -> assertThat(cookie)
        .startsWith("mpc_session=").contains("HttpOnly", "SameSite=Lax", "Path=/"));
    // Plain http (development): no prefix, no HSTS (a browser would ignore both).
    assertThat(browser.get("/organizations").headers().firstValue("Strict-Transport-Security"))
        .isEmpty();
  }

  /**
   * The attacks: a sibling subdomain or a plain-http page setting our cookie (to plant a session),
   * and a network attacker downgrading the browser to http. Behind an https public address the
   * cookies are {@code __Host-} (Secure, Path=/, no Domain) and every answer says
   * Strict-Transport-Security.
   */
  @Test
  void behindAnHttpsPublicAddressTheCookiesAreHostPrefixedSecureAndHstsIsSent()
      throws IOException {
    int port = freePort();
    ApiSettings plain = settings(port, databaseSettings.jdbcUrl());
    ApiServer secure = new ApiServer(ApiSettings.from(new Env(Map.ofEntries(
        Map.entry("API_HOST", "127.0.0.1"),
        Map.entry("API_PORT", Integer.toString(port)),
        Map.entry("PUBLIC_BASE_URL", "https://console.example.com"),
        Map.entry("PAYLOAD_KEYS", PayloadKeys.newKeySetting("test")),
        Map.entry("OIDC_PROVIDERS", PROVIDER),
        Map.entry("OIDC_MOCK_ISSUER", issuer),
        Map.entry("OIDC_MOCK_CLIENT_ID", "mpconnect-test"),
        Map.entry("DATABASE_URL", plain.database().jdbcUrl())))),
        WorkflowClient.newInstance(temporal)).start();
    try {
      Browser browser = new Browser("http://127.0.0.1:" + port);
      HttpResponse<String> login = browser.get("/auth/mock/login?next=/organizations");

      assertThat(login.statusCode()).isEqualTo(302);
      assertThat(login.headers().firstValue("Location").orElseThrow())
          .contains("redirect_uri=https%3A%2F%2Fconsole.example.com%2Fauth%2Fmock%2Fcallback");
      assertThat(browser.setCookies).singleElement().satisfies(cookie -> assertThat(cookie)
          .startsWith("__Host-mpc_oidc=").contains("HttpOnly", "SameSite=Lax", "Secure", "Path=/;")
          .doesNotContainIgnoringCase("Domain="));
      assertThat(login.headers().firstValue("Strict-Transport-Security"))
          .hasValue("max-age=31536000");
      assertThat(browser.get("/health/live").headers().firstValue("Strict-Transport-Security"))
          .hasValue("max-age=31536000");
    } finally {
      secure.stop();
    }
  }

  @Test
  void whenTheDatabaseIsAwayTheConsoleSaysTryAgainWithoutDetails() throws IOException {
    int port = freePort();
    ApiServer broken = new ApiServer(
        settings(port, "jdbc:postgresql://127.0.0.1:" + freePort() + "/nothing"),
        WorkflowClient.newInstance(temporal)).start();
    try {
      Person owner = person("Dee Down");
      Browser browser = new Browser("http://127.0.0.1:" + port);
      HttpResponse<String> page = signInTo(browser, owner, "/organizations");

      assertThat(page.statusCode()).isEqualTo(503);
      assertThat(page.body()).contains("Please try again")
          .doesNotContain("Exception", "jdbc", "postgresql");
    } finally {
      broken.stop();
    }
  }

  // ---- helpers ----

  record Person(String subject, String name) {}

  /** A user of ours, as the onboarding's sign-in would have created them. */
  static Person person(String name) {
    Person person = new Person("user-" + hex(), name);
    new UserRepository(database.jdbi()).signIn(issuer, person.subject(), null, name);
    return person;
  }

  static UUID organization(String name, Plan plan) {
    UUID id = UUID.randomUUID();
    new OrganizationRepository(database.jdbi()).insertIfAbsent(id, name, plan);
    return id;
  }

  static void member(UUID organization, Person person, Role role) {
    UUID user = new UserRepository(database.jdbi()).findByIdentity(issuer, person.subject())
        .orElseThrow().id();
    new MembershipRepository(database.jdbi()).addIfAbsent(organization, user, role);
  }

  /** Links the organization to a new AWS account; returns the account. */
  static String link(UUID organization, boolean activate) {
    String account = String.format("%012d", ThreadLocalRandom.current().nextLong(1_000_000_000_000L));
    new MarketplaceCustomerRepository(database.jdbi()).register(PRODUCT, account, null);
    MarketplaceLinkRepository links = new MarketplaceLinkRepository(database.jdbi());
    assertThat(links.linkIfAbsent(PRODUCT, account, organization, null, "test")).isTrue();
    if (activate) {
      links.activate(PRODUCT, account, "test");
    }
    return account;
  }

  /** The console sign-in dance; returns the page it lands on. */
  static HttpResponse<String> signInTo(Browser browser, Person person, String path) {
    HttpResponse<String> login = browser.get(
        "/auth/" + PROVIDER + "/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
    String authorize = login.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> posted = browser.postForm(authorize,
        form(Map.of("username", person.subject(), "claims", "{\"name\":\"" + person.name() + "\"}")));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    HttpResponse<String> callback = browser.get(posted.headers().firstValue("Location").orElseThrow());
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
    assertThat(callback.headers().firstValue("Location")).contains(path);
    return browser.get(path);
  }

  public static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  static String hex() {
    byte[] bytes = new byte[6];
    ThreadLocalRandom.current().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** A port outside the kernel's ephemeral range, so nothing else takes it before the api binds. */
  public static int freePort() throws IOException {
    return io.mpconnect.standins.temporal.LoopbackPorts.pick();
  }

  /** A cookie jar for one origin, redirects by hand. */
  public static final class Browser {
    private static final HttpClient http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    public final Map<String, String> cookies = new LinkedHashMap<>();
    final java.util.List<String> setCookies = new java.util.ArrayList<>();

    Browser() {
      this(apiBase);
    }

    public Browser(String base) {
      this.base = base;
    }

    public HttpResponse<String> get(String pathOrUrl) {
      return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET());
    }

    public HttpResponse<String> postForm(String pathOrUrl, String body) {
      return send(HttpRequest.newBuilder(uri(pathOrUrl))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private URI uri(String pathOrUrl) {
      return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
      request.timeout(Duration.ofSeconds(30));
      boolean ours = request.build().uri().toString().startsWith(base);
      if (ours && !cookies.isEmpty()) {
        request.header("Cookie", cookies.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
      }
      try {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (ours) {
          for (String header : response.headers().allValues("set-cookie")) {
            setCookies.add(header);
            String pair = header.split(";", 2)[0];
            String name = pair.substring(0, pair.indexOf('='));
            String value = pair.substring(pair.indexOf('=') + 1);
            if (header.contains("Max-Age=0") || value.isEmpty()) {
              cookies.remove(name);
            } else {
              cookies.put(name, value);
            }
          }
        }
        return response;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
