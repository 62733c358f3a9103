package io.mpconnect.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mpconnect.api.health.ApiMetrics;
import io.mpconnect.api.session.CookieSigner;
import io.mpconnect.api.web.Json;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.onboarding.OrganizationNames;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The api's public HTTP contract, end to end: the real OnboardingWorkflowImpl on Temporal's
 * in-process test server (no time skipping), small in-test activities, and a real OIDC provider
 * (mock-oauth2-server with interactive login). What is under test is HTTP: paths, fields,
 * statuses, sessions, CSRF and sign-in, not the activities.
 */
class ApiContractTest {
  static final String TASK_QUEUE = "api-contract-test";
  static final String PROVIDER = "mock";
  static final SecureRandom random = new SecureRandom();

  static TestWorkflowEnvironment temporal;
  static MockOAuth2Server oidc;
  static ApiServer api;
  static String apiBase;
  static String issuer;
  static final FakeActivities.Marketplace marketplace = new FakeActivities.Marketplace();
  static final FakeActivities.Accounts accounts = new FakeActivities.Accounts();
  static final FakeActivities.Notifications notifications = new FakeActivities.Notifications();
  static final FakeActivities.SubscriptionLinks subscriptionLinks =
      new FakeActivities.SubscriptionLinks();

  @BeforeAll
  static void startEverything() throws IOException {
    temporal = TestTemporal.withSearchAttributes();
    Worker worker = temporal.newWorker(TASK_QUEUE);
    // The subscription workflow's hand-off and stored status are played by subscriptionLinks.
    worker.registerWorkflowImplementationTypes(OnboardingWorkflowImpl.class);
    subscriptionLinks.client = temporal.getWorkflowClient();
    worker.registerActivitiesImplementations(
        marketplace, accounts, notifications, subscriptionLinks);
    temporal.start();

    oidc = new MockOAuth2Server(new OAuth2Config(true));
    oidc.start(InetAddress.getLoopbackAddress(), 0);
    // The issuer is the host the api calls: 127.0.0.1 here and in the discovery URL alike.
    issuer = "http://127.0.0.1:" + oidc.baseUrl().port() + "/" + PROVIDER;

    int port = freePort();
    apiBase = "http://127.0.0.1:" + port;
    ApiSettings settings = ApiSettings.from(new Env(Map.ofEntries(
        Map.entry("API_HOST", "127.0.0.1"),
        Map.entry("API_PORT", Integer.toString(port)),
        Map.entry("PUBLIC_BASE_URL", apiBase),
        Map.entry("TEMPORAL_TASK_QUEUE", TASK_QUEUE),
        Map.entry("SESSION_SECRET", "test-session-secret-that-is-long-enough-0123456789"),
        Map.entry("PAYLOAD_KEYS", PayloadKeys.newKeySetting("test")),
        Map.entry("OIDC_PROVIDERS", PROVIDER),
        Map.entry("OIDC_MOCK_ISSUER", issuer),
        Map.entry("OIDC_MOCK_CLIENT_ID", "mpconnect-test"),
        Map.entry("OIDC_MOCK_CLIENT_SECRET", "test-secret"),
        Map.entry("OIDC_MOCK_NAME", "Mock ID"),
        Map.entry("VENDOR_NAME", "Acme Cloud"),
        Map.entry("DEV_MODE", "true"))));
    api = new ApiServer(settings, temporal.getWorkflowClient(), new ApiMetrics(),
        subscriptionLinks.records()).start();
  }

  @AfterAll
  static void stopEverything() {
    if (api != null) {
      api.stop();
    }
    if (oidc != null) {
      oidc.shutdown();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  // ---- registration ----

  @Test
  void aValidTokenStartsTheOnboardingSetsASessionCookieAndRedirectsToItsSignupPage() {
    TestBrowser browser = new TestBrowser(apiBase);
    String token = customerToken("123456789012");
    HttpResponse<String> response = browser.postForm("/marketplace/aws/register",
        TestBrowser.form(Map.of("x-amzn-marketplace-token", token,
            "x-amzn-marketplace-offer-type", "free-trial")));

    String id = OnboardingIds.fromToken(token);
    assertThat(response.statusCode()).isEqualTo(303);
    assertThat(response.headers().firstValue("Location")).contains("/signup/" + id);
    assertThat(response.headers().allValues("Set-Cookie"))
        .anySatisfy(cookie -> assertThat(cookie)
            .startsWith("mpc_session=").contains("HttpOnly", "SameSite=Lax", "Path=/")
            .doesNotContain("Secure"));
    assertThat(describe(id).orElseThrow().getWorkflowExecutionInfo().getSearchAttributes()
        .getIndexedFieldsMap()).containsKey("OnboardingStep");
    awaitStep(id, OnboardingStep.AWAITING_AUTHENTICATION);
  }

  @Test
  void aBodyOver64KilobytesIsRefusedAndStartsNoWorkflow() {
    String huge = "A".repeat(100 * 1024);
    HttpResponse<String> response = new TestBrowser(apiBase).postForm("/marketplace/aws/register",
        "x-amzn-marketplace-token=" + huge);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).doesNotContain("Exception");
    assertThat(describe(OnboardingIds.fromToken(huge))).isEmpty();
  }

  @Test
  void aDoublePostOfTheSameTokenFromTheSameBrowserLandsOnTheSameOnboardingAndOneWorkflow() {
    TestBrowser browser = new TestBrowser(apiBase);
    String token = customerToken("123456789012");
    String first = register(browser, token);
    String runId = describe(first).orElseThrow().getWorkflowExecutionInfo().getExecution().getRunId();

    String second = register(browser, token);

    assertThat(second).isEqualTo(first);
    assertThat(describe(first).orElseThrow().getWorkflowExecutionInfo().getExecution().getRunId())
        .isEqualTo(runId);
  }

  /**
   * The attack: someone else holding the customer's registration token (leaked, or copied from
   * the customer's screen) posts it from their own browser, to get a session on the customer's
   * onboarding and sign in to it before the customer. The onboarding belongs to the browser that
   * started it: any other gets a 409 page, no cookie, and nothing starts; the owner goes on.
   */
  @Test
  void aSecondBrowserPostingTheSameTokenStartsNothingAndIsToldItIsInProgressElsewhere() {
    TestBrowser owner = new TestBrowser(apiBase);
    String token = customerToken("123456789012");
    String id = register(owner, token);
    String runId = describe(id).orElseThrow().getWorkflowExecutionInfo().getExecution().getRunId();

    TestBrowser second = new TestBrowser(apiBase);
    HttpResponse<String> refused = second.postForm("/marketplace/aws/register",
        TestBrowser.form(Map.of("x-amzn-marketplace-token", token)));

    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body())
        .contains("This sign-up is already in progress in another browser.",
            "If that was you, continue there; otherwise go back to AWS Marketplace and click",
            "Set up your account", "again (AWS gives a new link each time).",
            "href=\"/signup/" + id + "\"")
        .doesNotContain(token);
    assertThat(refused.headers().allValues("Set-Cookie")).noneMatch(c -> c.contains("mpc_session"));
    assertThat(describe(id).orElseThrow().getWorkflowExecutionInfo().getExecution().getRunId())
        .as("nothing started").isEqualTo(runId);
    // The second browser sees nothing of it: only the offer to sign in, which lets only the
    // identity the onboarding belongs to in (theOwnerResumesInAnotherBrowserAndAStrangerIsRefused).
    assertThat(second.get("/signup/" + id).body()).contains("Sign in to continue");
    assertThat(second.get("/api/onboardings/" + id).statusCode()).isEqualTo(404);
    // A browser with a session of its own (another onboarding) likewise, and keeps its cookie.
    TestBrowser busy = new TestBrowser(apiBase);
    registeredId(busy);
    String busyCookie = busy.cookies.get("mpc_session");
    assertThat(busy.postForm("/marketplace/aws/register",
        TestBrowser.form(Map.of("x-amzn-marketplace-token", token))).statusCode()).isEqualTo(409);
    assertThat(busy.cookies.get("mpc_session")).isEqualTo(busyCookie);
    assertThat(busy.get("/signup/" + id).body()).contains("Sign in to continue")
        .doesNotContain("123456789012");

    // The owning browser's sign-up page still works, its re-post lands there, it signs in.
    assertThat(owner.get("/signup/" + id).statusCode()).isEqualTo(200);
    assertThat(register(owner, token)).isEqualTo(id);
    HttpResponse<String> callback = signIn(owner, id, "owner-" + randomHex(),
        "{\"email\":\"owner@example.com\",\"email_verified\":true}");
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
    awaitStep(id, OnboardingStep.AWAITING_ORGANIZATION);
    assertThat(owner.get("/signup/" + id).body()).contains("Choose an organization");
  }

  @Test
  void aDoublePostAfterTheOnboardingEndedLandsOnTheSameClosedOnboarding() {
    TestBrowser browser = new TestBrowser(apiBase);
    String token = "unknown-" + randomHex(); // the fake marketplace ends it INVALID_TOKEN
    String id = register(browser, token);
    awaitView(id, v -> v.outcome() == OnboardingOutcome.INVALID_TOKEN);
    String runId = describe(id).orElseThrow().getWorkflowExecutionInfo().getExecution().getRunId();

    assertThat(register(browser, token)).isEqualTo(id);
    assertThat(describe(id).orElseThrow().getWorkflowExecutionInfo().getExecution().getRunId())
        .isEqualTo(runId);
    assertThat(browser.get("/signup/" + id).body()).contains("This sign-up link is not valid");
  }

  static Stream<Arguments> unusableRegistrations() {
    String prefix = "x-amzn-marketplace-token=";
    String tenKilobytes = "A".repeat(10 * 1024);
    return Stream.of(
        Arguments.of("missing", "x-amzn-marketplace-offer-type=free-trial".getBytes(), null),
        Arguments.of("empty", (prefix).getBytes(), ""),
        Arguments.of("blank", (prefix + "%20%20%20").getBytes(), "   "),
        Arguments.of("10 KB", (prefix + tenKilobytes).getBytes(), tenKilobytes),
        Arguments.of("bad percent-escape", (prefix + "abc%ZZdef").getBytes(), "abc%ZZdef"),
        Arguments.of("invalid UTF-8", (prefix + "abc%FFdef").getBytes(), "abc\uFFFDdef"),
        Arguments.of("non-ASCII", (prefix + "ab%C3%A9cd").getBytes(), "ab\u00e9cd"),
        Arguments.of("raw non-ASCII byte",
            concat(prefix.getBytes(), new byte[] {'a', (byte) 0xE9, 'b'}), "a\u00e9b"),
        Arguments.of("control character", (prefix + "abc%0Adef").getBytes(), "abc\ndef"));
  }

  @ParameterizedTest(name = "{0} token")
  @MethodSource("unusableRegistrations")
  void anUnusableTokenGetsA400PageAndStartsNoWorkflow(String what, byte[] body, String naive) {
    TestBrowser browser = new TestBrowser(apiBase);
    HttpResponse<String> response = browser.postForm("/marketplace/aws/register", body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(response.body()).contains("AWS Marketplace", "Set up your account")
        .doesNotContain("Exception", "at io.");
    assertThat(browser.cookies).doesNotContainKey("mpc_session");
    if (naive != null) {
      assertThat(describe(OnboardingIds.fromToken(naive))).isEmpty();
    }
  }

  // ---- sessions ----

  @Test
  void anotherBrowserSeesNothingOfTheOnboardingButAWayToSignIn() {
    TestBrowser owner = new TestBrowser(apiBase);
    String id = register(owner, customerToken("123456789012"));
    TestBrowser other = new TestBrowser(apiBase);
    register(other, customerToken("210987654321"));

    HttpResponse<String> view = other.get("/api/onboardings/" + id);
    assertThat(view.statusCode()).isEqualTo(404);
    assertThat(json(view).path("message").asText()).isNotBlank();
    HttpResponse<String> page = other.get("/signup/" + id);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Sign in to continue", "/auth/" + PROVIDER + "/login?onboarding=" + id)
        .doesNotContain("123456789012");
    String otherCsrf = json(other.get("/api/onboardings/" + registeredId(other))).path("csrfToken").asText();
    assertThat(other.postJson("/api/onboardings/" + id + "/connect",
        "{\"organizationId\":\"org-acme\"}", otherCsrf).statusCode()).isEqualTo(404);
    // The sign-in may start (to resume elsewhere); its callback lets only the owner in.
    assertThat(other.get("/auth/" + PROVIDER + "/login?onboarding=" + id).statusCode()).isEqualTo(302);
    assertThat(other.get("/auth/" + PROVIDER + "/login?onboarding=not-an-id").statusCode()).isEqualTo(404);

    assertThat(owner.get("/api/onboardings/" + id).statusCode()).isEqualTo(200);
  }

  @Test
  void aBrowserWithoutSessionGets404AndNeverLearnsWhetherTheOnboardingExists() {
    String id = register(new TestBrowser(apiBase), customerToken("123456789012"));
    TestBrowser stranger = new TestBrowser(apiBase);

    assertThat(stranger.get("/api/onboardings/" + id).statusCode()).isEqualTo(404);
    assertThat(stranger.get("/api/onboardings/" + "0".repeat(32)).statusCode()).isEqualTo(404);
    assertThat(stranger.get("/api/onboardings/not-an-id").statusCode()).isEqualTo(404);
    // The same page for an onboarding that exists and one that does not.
    HttpResponse<String> existing = stranger.get("/signup/" + id);
    HttpResponse<String> missing = stranger.get("/signup/" + "0".repeat(32));
    assertThat(existing.statusCode()).isEqualTo(missing.statusCode()).isEqualTo(200);
    assertThat(existing.body().replace(id, "ID"))
        .isEqualTo(missing.body().replace("0".repeat(32), "ID").replaceAll(
            "nonce=\"[^\"]*\"", "nonce"))
        .isNotNull();
    assertThat(stranger.get("/signup/not-an-id").statusCode()).isEqualTo(404);
  }

  /**
   * Resuming: the identity that signed in to an onboarding continues it in another browser (a
   * reminder e-mail's link, another device) and after signing out; anyone else gets a refusal
   * that shows nothing of it and links to their own organizations, and the onboarding is as it
   * was.
   */
  @Test
  void theOwnerResumesInAnotherBrowserAndAStrangerIsRefused() {
    TestBrowser first = new TestBrowser(apiBase);
    String id = register(first, customerToken("444455556666"));
    String owner = "owner-" + randomHex();
    String claims = "{\"email\":\"resumer@example.com\",\"email_verified\":true}";
    assertThat(signIn(first, id, owner, claims).statusCode()).isEqualTo(303);
    awaitStep(id, OnboardingStep.AWAITING_ORGANIZATION);

    TestBrowser stranger = new TestBrowser(apiBase);
    HttpResponse<String> refused = stranger.get(providerLogin(stranger, id, "stranger-" + randomHex(),
        "{\"email\":\"stranger@example.com\",\"email_verified\":true}"));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("This sign-up is not yours", "href=\"/organizations\"",
        "Set up your account", "stranger@example.com").doesNotContain("resumer@example.com",
        "444455556666");
    assertThat(stranger.get("/api/onboardings/" + id).statusCode()).isEqualTo(404);
    assertThat(stranger.cookies.get("mpc_session"))
        .as("signed in to the console, for the link to their organizations").isNotNull();

    TestBrowser second = new TestBrowser(apiBase);
    HttpResponse<String> resumed = second.get(providerLogin(second, id, owner, claims));
    assertThat(resumed.statusCode()).isEqualTo(303);
    assertThat(resumed.headers().firstValue("Location")).hasValue("/signup/" + id);
    HttpResponse<String> page = second.get("/signup/" + id);
    assertThat(page.body()).contains("Choose an organization", "resumer@example.com");
    HttpResponse<String> connected = connect(second, id, "{\"newOrganizationName\": \"Resumed Co\"}");
    assertThat(connected.statusCode()).as(connected.body()).isIn(200, 202);
    OnboardingView done = awaitStep(id, OnboardingStep.DONE);
    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    assertThat(done.organization().name()).isEqualTo("Resumed Co");

    // The ended onboarding, signed in to again by its owner in a third browser: its confirmation.
    TestBrowser third = new TestBrowser(apiBase);
    assertThat(third.get(providerLogin(third, id, owner, claims)).statusCode()).isEqualTo(303);
    assertThat(third.get("/signup/" + id).body()).contains("Resumed Co");
  }

  /** Nobody signed in yet: only the browser that registered it may claim it, not another. */
  @Test
  void anOnboardingNobodySignedInToCannotBeClaimedFromAnotherBrowser() {
    String id = register(new TestBrowser(apiBase), customerToken("444455556666"));
    awaitStep(id, OnboardingStep.AWAITING_AUTHENTICATION);
    TestBrowser other = new TestBrowser(apiBase);
    HttpResponse<String> refused = other.get(providerLogin(other, id, "claimer-" + randomHex(),
        "{\"email\":\"claimer@example.com\",\"email_verified\":true}"));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("This sign-up is not yours");
    assertThat(view(id).step()).isEqualTo(OnboardingStep.AWAITING_AUTHENTICATION);
    assertThat(view(id).user()).isNull();
  }

  /** A long name is refused by the api itself, before any workflow task, with the rule. */
  @Test
  void aNameOverTheLimitIsRefusedWholeBeforeTheWorkflow() {
    TestBrowser customer = new TestBrowser(apiBase);
    String id = register(customer, customerToken("123456789012"));
    assertThat(signIn(customer, id, "long-" + randomHex(),
        "{\"email\":\"long@example.com\",\"email_verified\":true}").statusCode()).isEqualTo(303);
    awaitStep(id, OnboardingStep.AWAITING_ORGANIZATION);
    long events = history(id);
    HttpResponse<String> refused = connect(customer, id,
        "{\"newOrganizationName\": \"" + "N".repeat(65) + "\"}");
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(json(refused).path("message").asText())
        .isEqualTo("The organization name may have at most 64 characters.");
    assertThat(history(id)).as("no workflow task for a refused name").isEqualTo(events);
  }

  @Test
  void aForgedOrTamperedCookieGetsNoAccess() {
    TestBrowser owner = new TestBrowser(apiBase);
    String id = register(owner, customerToken("123456789012"));
    String genuine = owner.cookies.get("mpc_session");
    String[] parts = genuine.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    String otherId = "f".repeat(32);
    String tamperedPayload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.replace(id, otherId).getBytes(StandardCharsets.UTF_8));
    // Signed like ours, with a key that is not the server's.
    String forged = new CookieSigner("someone-elses-secret-0123456789abcdef".getBytes())
        .seal("session.v1", payload.getBytes(StandardCharsets.UTF_8));

    for (String cookie : List.of(
        forged,
        tamperedPayload + "." + parts[1],
        parts[0] + "." + flip(parts[1], 5),
        parts[0] + "." + flip(parts[1], parts[1].length() - 1),
        parts[0],
        "garbage",
        "a.b.c",
        "%%%.!!!")) {
      TestBrowser attacker = new TestBrowser(apiBase);
      attacker.cookies.put("mpc_session", cookie);
      assertThat(attacker.get("/api/onboardings/" + id).statusCode()).as(cookie).isEqualTo(404);
      assertThat(attacker.get("/signup/" + id).body()).as(cookie).contains("Sign in to continue")
          .doesNotContain("123456789012");
    }
    assertThat(owner.get("/api/onboardings/" + id).statusCode()).isEqualTo(200);
  }

  // ---- OIDC sign-in ----

  @Test
  void theFullOidcSignInLeavesTheWorkflowAwaitingAnOrganizationWithTheVerifiedSubject() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken("123456789012"));
    String subject = "owner-" + randomHex();

    HttpResponse<String> callback =
        signIn(browser, id, subject, "{\"email\":\"owner@example.com\",\"email_verified\":true,"
            + "\"name\":\"Olive Owner\"}");

    assertThat(callback.statusCode()).isEqualTo(303);
    assertThat(callback.headers().firstValue("Location")).contains("/signup/" + id);
    OnboardingView view = awaitStep(id, OnboardingStep.AWAITING_ORGANIZATION);
    assertThat(view.user().email()).isEqualTo("owner@example.com");
    assertThat(view.user().provider()).isEqualTo(PROVIDER);
    assertThat(accounts.signIns).filteredOn(i -> i.subject().equals(subject)).singleElement()
        .satisfies(identity -> {
          assertThat(identity.issuer()).isEqualTo(issuer);
          assertThat(identity.provider()).isEqualTo(PROVIDER);
          assertThat(identity.email()).isEqualTo("owner@example.com");
          assertThat(identity.displayName()).isEqualTo("Olive Owner");
        });
    JsonNode json = json(browser.get("/api/onboardings/" + id));
    assertThat(json.path("user").path("displayName").asText()).isEqualTo("Olive Owner");
    assertThat(browser.cookies).doesNotContainKey("mpc_oidc");
    String session = new String(Base64.getUrlDecoder().decode(
        browser.cookies.get("mpc_session").split("\\.")[0]), StandardCharsets.UTF_8);
    assertThat(session).contains(subject, issuer).doesNotContain("owner@example.com");
  }

  /**
   * The attack: an account at the provider carrying someone else's address, unverified, signs in
   * to claim that person's user and organizations. The sign-in is refused with a page that says
   * why, and nothing reaches the workflow.
   */
  @Test
  void signingInWithAnUnverifiedEmailIsRefusedWithAClearPageAndReachesNoWorkflow() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken("123456789012"));
    String subject = "unverified-" + randomHex();

    HttpResponse<String> callback = signIn(browser, id, subject,
        "{\"email\":\"someone@example.com\",\"email_verified\":false}");

    assertThat(callback.statusCode()).isEqualTo(400);
    assertThat(callback.body()).contains("Sign-in failed",
        "Your e-mail address at Mock ID is not verified. Verify it with Mock ID, then sign in"
            + " again.", "/signup/" + id);
    assertThat(accounts.signIns).noneMatch(i -> i.subject().equals(subject));
    assertThat(view(id).step()).isIn(OnboardingStep.RESOLVING_CUSTOMER,
        OnboardingStep.AWAITING_AUTHENTICATION);
  }

  /**
   * The attack: session fixation. Someone who knows a browser's session cookie from before its
   * sign-in (they planted it, or copied it) waits for the customer to sign in, then uses it with
   * its CSRF token. The sign-in gives the browser a new session id; the old cookie no longer sees
   * the onboarding's user or organizations and cannot connect, and the old CSRF token is refused
   * with the new session too.
   */
  @Test
  void aSessionFixedBeforeSignInIsWorthlessAfterIt() {
    TestBrowser customer = new TestBrowser(apiBase);
    String id = register(customer, customerToken("123456789012"));
    String fixed = customer.cookies.get("mpc_session");
    String fixedCsrf = json(customer.get("/api/onboardings/" + id)).path("csrfToken").asText();

    HttpResponse<String> callback = signIn(customer, id, "owner-" + randomHex(),
        "{\"email\":\"owner@example.com\",\"email_verified\":true}");
    assertThat(callback.statusCode()).isEqualTo(303);
    awaitStep(id, OnboardingStep.AWAITING_ORGANIZATION);

    String rotated = customer.cookies.get("mpc_session");
    assertThat(rotated).isNotEqualTo(fixed);
    String newCsrf = json(customer.get("/api/onboardings/" + id)).path("csrfToken").asText();
    assertThat(newCsrf).isNotEqualTo(fixedCsrf);

    TestBrowser attacker = new TestBrowser(apiBase);
    attacker.cookies.put("mpc_session", fixed);
    HttpResponse<String> peek = attacker.get("/api/onboardings/" + id);
    assertThat(peek.statusCode()).isEqualTo(404);
    assertThat(peek.body()).doesNotContain("owner@example.com");
    HttpResponse<String> page = attacker.get("/signup/" + id);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Sign in to continue", "/auth/" + PROVIDER + "/login")
        .doesNotContain("owner@example.com");
    HttpResponse<String> hijack = attacker.postJson("/api/onboardings/" + id + "/connect",
        "{\"newOrganizationName\": \"Attacker Inc\"}", fixedCsrf);
    assertThat(hijack.statusCode()).isEqualTo(403);
    assertThat(json(hijack).path("message").asText()).startsWith("Sign in first");
    HttpResponse<String> form = attacker.postForm("/signup/" + id, TestBrowser.form(Map.of(
        "csrf", fixedCsrf, "choice", "new", "newName", "Attacker Inc")));
    assertThat(form.statusCode()).isEqualTo(403);
    // The old token is no good with the customer's new session either.
    assertThat(customer.postJson("/api/onboardings/" + id + "/connect",
        "{\"newOrganizationName\": \"Attacker Inc\"}", fixedCsrf).statusCode()).isEqualTo(403);
    assertThat(view(id).step()).isEqualTo(OnboardingStep.AWAITING_ORGANIZATION);
  }

  /**
   * The attack: the browser that signed in to an onboarding is then signed in as someone else
   * (a shared computer: the next person signs in to the console), and that person chooses the
   * organization. The choice carries the session's signed-in identity, and the workflow refuses
   * it from anyone but the identity its sign-in bound; nothing is connected.
   */
  @Test
  void aChoiceFromSomeoneOtherThanTheSignedInUserIsRefused() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);
    // Someone else signs in to the console in the same browser: the session's user changes.
    HttpResponse<String> login = browser.get("/auth/" + PROVIDER + "/login?next=/organizations");
    assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
    String authorize = login.headers().firstValue("Location").orElseThrow();
    assertThat(browser.get(authorize).statusCode()).isEqualTo(200);
    HttpResponse<String> posted = browser.postForm(authorize, TestBrowser.form(Map.of(
        "username", "someone-else-" + randomHex(),
        "claims", "{\"email\":\"else@example.com\",\"email_verified\":true}")));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    HttpResponse<String> callback = browser.get(posted.headers().firstValue("Location").orElseThrow());
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);

    HttpResponse<String> response = connect(browser, id, "{\"organizationId\":\"org-acme\"}");

    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(json(response).path("message").asText()).startsWith("Only the person who signed in");
    HttpResponse<String> form = browser.postForm("/signup/" + id, TestBrowser.form(Map.of(
        "csrf", json(browser.get("/api/onboardings/" + id)).path("csrfToken").asText(),
        "choice", "new", "newName", "Someone Else Inc")));
    assertThat(form.statusCode()).isEqualTo(422);
    assertThat(form.body()).contains("Only the person who signed in");
    assertThat(view(id).step()).isEqualTo(OnboardingStep.AWAITING_ORGANIZATION);
    assertThat(view(id).organization()).isNull();
  }

  /**
   * The attack: a second identity signs in to an onboarding a user is already bound to (in the
   * owning browser: "use another account" after the fact, or a shared computer). It is refused
   * with a page saying the sign-up belongs to another sign-in; the session is not signed in as
   * it, and the bound user stays.
   */
  @Test
  void aSecondIdentityCannotSignInToAnOnboardingAlreadyBound() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);
    String cookie = browser.cookies.get("mpc_session");

    HttpResponse<String> second = signIn(browser, id, "intruder-" + randomHex(),
        "{\"email\":\"intruder@example.com\",\"email_verified\":true}");

    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(second.body()).contains("This sign-up belongs to another sign-in",
        "Nothing was changed", "Set up your account");
    assertThat(browser.cookies.get("mpc_session")).isEqualTo(cookie);
    assertThat(view(id).user().email()).isEqualTo("owner@example.com");
    assertThat(connect(browser, id, "{\"organizationId\":\"org-acme\"}").statusCode())
        .isEqualTo(200);
  }

  @Test
  void aCallbackWithAWrongStateIsRefusedAndSendsNoUpdate() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken("123456789012"));
    awaitStep(id, OnboardingStep.AWAITING_AUTHENTICATION);
    String subject = "intruder-" + randomHex();
    URI callback = URI.create(providerLogin(browser, id, subject, "{}"));
    String forgedState = callback.getQuery().replaceAll("state=[^&]+", "state=forged");

    HttpResponse<String> response =
        browser.get(apiBase + callback.getPath() + "?" + forgedState);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("Sign-in failed", "/signup/" + id)
        .doesNotContain("Exception");
    assertThat(accounts.signIns).noneMatch(i -> i.subject().equals(subject));
    OnboardingView view = view(id);
    assertThat(view.step()).isEqualTo(OnboardingStep.AWAITING_AUTHENTICATION);
    assertThat(view.user()).isNull();
  }

  @Test
  void aCallbackReportingDeniedConsentShowsASignInFailedPage() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken("123456789012"));
    HttpResponse<String> login = browser.get("/auth/" + PROVIDER + "/login?onboarding=" + id);
    String state = URI.create(login.headers().firstValue("Location").orElseThrow()).getQuery()
        .replaceAll(".*state=([^&]+).*", "$1");

    HttpResponse<String> response = browser.get(
        "/auth/" + PROVIDER + "/callback?error=access_denied&state=" + state);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("Sign-in failed", "/signup/" + id);
  }

  @Test
  void aLoginForAnUnknownProviderIs404() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken("123456789012"));
    assertThat(browser.get("/auth/nosuch/login?onboarding=" + id).statusCode()).isEqualTo(404);
  }

  // ---- choosing the organization ----

  @Test
  void connectWithoutTheCsrfHeaderIsForbidden() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);

    HttpResponse<String> missing =
        browser.postJson("/api/onboardings/" + id + "/connect", "{\"organizationId\":\"org-acme\"}", null);
    HttpResponse<String> wrong = browser.postJson(
        "/api/onboardings/" + id + "/connect", "{\"organizationId\":\"org-acme\"}", "not-the-token");

    assertThat(missing.statusCode()).isEqualTo(403);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(view(id).step()).isEqualTo(OnboardingStep.AWAITING_ORGANIZATION);
  }

  @Test
  void connectWithAnIneligibleOrganizationAnswers422WithTheValidatorsMessage() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);

    HttpResponse<String> response = connect(browser, id, "{\"organizationId\":\"org-beta\"}");

    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(json(response).path("message").asText())
        .isEqualTo("\"Beta <b>&co</b>\" cannot be connected: only its owners can connect it to a"
            + " marketplace.");
    assertThat(view(id).step()).isEqualTo(OnboardingStep.AWAITING_ORGANIZATION);
  }

  @Test
  void malformedConnectJsonAnswers400() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);

    assertThat(connect(browser, id, "{\"organizationId\":").statusCode()).isEqualTo(400);
    assertThat(connect(browser, id, "[1,2]").statusCode()).isEqualTo(400);
    assertThat(connect(browser, id, "{\"organizationId\":42}").statusCode()).isEqualTo(400);
  }

  @Test
  void connectWithAnEligibleOrganizationAnswers200AndTheOnboardingIsConnected() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);

    HttpResponse<String> response = connect(browser, id, "{\"organizationId\":\"org-acme\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.path("outcome").asText()).isEqualTo("CONNECTED");
    assertThat(body.path("step").asText()).isEqualTo("DONE");
    assertThat(body.path("organization").path("id").asText()).isEqualTo("org-acme");
    assertThat(body.path("subscription").path("status").asText()).isEqualTo("ACTIVE");
    assertThat(browser.get("/signup/" + id).body()).contains("You are all set", "Acme");
  }

  @Test
  void theViewJsonHasTheContractsFieldNames() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);

    JsonNode waiting = json(browser.get("/api/onboardings/" + id));
    assertThat(fieldNames(waiting)).containsExactlyInAnyOrder("id", "step", "outcome", "customer",
        "organizations", "organization", "subscription", "message", "user", "csrfToken");
    assertThat(waiting.path("id").asText()).isEqualTo(id);
    assertThat(waiting.path("step").asText()).isEqualTo("AWAITING_ORGANIZATION");
    assertThat(waiting.path("outcome").isNull()).isTrue();
    assertThat(fieldNames(waiting.path("customer"))).containsExactly("awsAccountId");
    assertThat(waiting.path("customer").path("awsAccountId").asText()).isEqualTo("123456789012");
    assertThat(fieldNames(waiting.path("organizations").get(0))).containsExactlyInAnyOrder(
        "id", "name", "plan", "role", "eligible", "ineligibleReason", "linkedAwsAccount");
    assertThat(waiting.path("organizations").get(1).path("ineligibleReason").asText())
        .isEqualTo("NOT_OWNER");
    assertThat(fieldNames(waiting.path("user")))
        .containsExactlyInAnyOrder("displayName", "email", "provider");

    JsonNode connected = json(connect(browser, id, "{\"organizationId\":\"org-acme\"}"));
    assertThat(fieldNames(connected.path("organization")))
        .containsExactlyInAnyOrder("id", "name", "plan");
    assertThat(fieldNames(connected.path("subscription")))
        .containsExactlyInAnyOrder("status", "licenses");
    assertThat(connected.path("message").asText()).contains("Acme");
  }

  @Test
  void aConnectedOnboardingsViewListsItsSubscriptionsLicenses() {
    String account = "123400005678";
    Instant from = Instant.parse("2026-06-02T08:00:00Z");
    // What the subscription workflow will store with the link: two licenses of the account.
    subscriptionLinks.licenses.put(account, List.of(
        new License("agmt-1", "arn:aws:license-manager::1:license/l-1", "agmt-1",
            LicenseStatus.USABLE, from, null, null, true, "offer-1", "NEW", null, from),
        new License("arn:arn-2", "arn-2", null, LicenseStatus.PENDING, null, null, null,
            null, null, null, null, null)));
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken(account));
    HttpResponse<String> callback = signIn(browser, id, "owner-" + randomHex(),
        "{\"email\":\"owner@example.com\",\"email_verified\":true}");
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
    awaitStep(id, OnboardingStep.AWAITING_ORGANIZATION);
    JsonNode waiting = json(browser.get("/api/onboardings/" + id));
    assertThat(waiting.get("subscription").isNull()).as("not connected yet").isTrue();

    assertThat(connect(browser, id, "{\"organizationId\":\"org-acme\"}").statusCode())
        .isEqualTo(200);
    awaitView(id, v -> v.outcome() == OnboardingOutcome.CONNECTED);
    JsonNode subscription = json(browser.get("/api/onboardings/" + id)).path("subscription");

    assertThat(fieldNames(subscription)).containsExactlyInAnyOrder("status", "licenses");
    assertThat(subscription.path("status").asText()).isEqualTo("ACTIVE");
    JsonNode licenses = subscription.path("licenses");
    assertThat(licenses).hasSize(2);
    assertThat(fieldNames(licenses.get(0))).containsExactlyInAnyOrder(
        "licenseArn", "agreementId", "status", "freeTrial", "offerId");
    assertThat(licenses.get(0).path("licenseArn").asText())
        .isEqualTo("arn:aws:license-manager::1:license/l-1");
    assertThat(licenses.get(0).path("agreementId").asText()).isEqualTo("agmt-1");
    assertThat(licenses.get(0).path("status").asText()).isEqualTo("USABLE");
    assertThat(licenses.get(0).path("freeTrial").asBoolean()).isTrue();
    assertThat(licenses.get(0).path("offerId").asText()).isEqualTo("offer-1");
    assertThat(licenses.get(1).path("licenseArn").asText()).isEqualTo("arn-2");
    assertThat(licenses.get(1).path("status").asText()).isEqualTo("PENDING");
    assertThat(licenses.get(1).path("agreementId").isNull()).isTrue();
    assertThat(licenses.get(1).path("freeTrial").isNull()).isTrue();
  }

  // ---- pages ----

  @Test
  void theSignupPageEscapesUserSuppliedStringsAndOffersTheChoice() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);

    HttpResponse<String> page = browser.get("/signup/" + id);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("Beta &lt;b&gt;&amp;co&lt;/b&gt;", "Acme", "data-csrf=\"", "/assets/signup.js")
        .doesNotContain("Beta <b>");
    assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
  }

  @Test
  void theSignupPageOffersTheConfiguredProvidersWhileAwaitingSignIn() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken("123456789012"));
    awaitStep(id, OnboardingStep.AWAITING_AUTHENTICATION);

    assertThat(browser.get("/signup/" + id).body())
        .contains("/auth/mock/login?onboarding=" + id, "Sign in with Mock ID", "123456789012");
  }

  @Test
  void theDevMarketplacePageOffersFreshDemoAndExpiredTokens() {
    HttpResponse<String> first = new TestBrowser(apiBase).get("/dev/marketplace");
    HttpResponse<String> second = new TestBrowser(apiBase).get("/dev/marketplace?account=444455556666");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).containsPattern("value=\"demo-111122223333-[0-9a-f]{24}\"")
        .containsPattern("value=\"expired-[0-9a-f]{24}\"")
        .contains("action=\"/marketplace/aws/register\"");
    assertThat(second.body()).containsPattern("value=\"demo-444455556666-[0-9a-f]{24}\"");
  }

  @Test
  void theScriptlessFormIsRefusedWithoutTheCsrfFieldAndChangesNothing() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);

    HttpResponse<String> missing = browser.postForm("/signup/" + id,
        TestBrowser.form(Map.of("choice", "org-acme")));
    HttpResponse<String> wrong = browser.postForm("/signup/" + id,
        TestBrowser.form(Map.of("choice", "org-acme", "csrf", "not-the-token")));

    assertThat(missing.statusCode()).isEqualTo(403);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(missing.body()).contains("Nothing was changed").doesNotContain("Exception");
    assertThat(view(id).step()).isEqualTo(OnboardingStep.AWAITING_ORGANIZATION);
  }

  @Test
  void theScriptlessFormShowsARefusalNextToTheFormThenConnects() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);
    String csrf = json(browser.get("/api/onboardings/" + id)).path("csrfToken").asText();

    HttpResponse<String> refused = browser.postForm("/signup/" + id,
        TestBrowser.form(Map.of("choice", "new", "newName", "acme", "csrf", csrf)));
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body())
        .contains("id=\"connect-error\" class=\"error\" role=\"alert\">You already have an"
            + " organization named &quot;acme&quot;")
        .contains("value=\"acme\"", "aria-invalid=\"true\"");

    HttpResponse<String> connected = browser.postForm("/signup/" + id,
        TestBrowser.form(Map.of("choice", "org-acme", "csrf", csrf)));
    assertThat(connected.statusCode()).isEqualTo(303);
    assertThat(connected.headers().firstValue("Location")).contains("/signup/" + id);
    assertThat(browser.get("/signup/" + id).body()).contains(
        "is connected to your AWS Marketplace subscription", "Acme", "/organizations/org-acme/billing");
  }

  /** A name over the limit is refused whole, with the rule, never cut (there is no maxlength). */
  @Test
  void theScriptlessFormRefusesATooLongNameWithTheRuleAndKeepsWhatWasTyped() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = signedInOnboarding(browser);
    String csrf = json(browser.get("/api/onboardings/" + id)).path("csrfToken").asText();
    String tooLong = "A".repeat(OrganizationNames.MAX_LENGTH) + "Z";

    HttpResponse<String> refused = browser.postForm("/signup/" + id,
        TestBrowser.form(Map.of("choice", "new", "newName", tooLong, "csrf", csrf)));

    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body())
        .contains("role=\"alert\">The organization name may have at most "
            + OrganizationNames.MAX_LENGTH + " characters.")
        .contains("value=\"" + tooLong + "\"", "aria-invalid=\"true\"")
        .doesNotContain("maxlength");
    assertThat(view(id).step()).isEqualTo(OnboardingStep.AWAITING_ORGANIZATION);
  }

  @Test
  void everyPageLinksTheIconAndFaviconIcoLeadsToIt() {
    TestBrowser browser = new TestBrowser(apiBase);
    for (String path : List.of("/dev/marketplace", "/organizations", "/no/such/page")) {
      assertThat(browser.get(path).body()).as(path)
          .containsPattern("<link rel=\"icon\" type=\"image/svg\\+xml\" href=\"/assets/favicon\\.svg\\?v=[0-9a-f]+\">");
    }

    HttpResponse<String> ico = browser.get("/favicon.ico");
    assertThat(ico.statusCode()).isEqualTo(302);
    String icon = ico.headers().firstValue("Location").orElseThrow();
    assertThat(icon).matches("/assets/favicon\\.svg\\?v=[0-9a-f]+");
    HttpResponse<String> svg = browser.get(icon);
    assertThat(svg.statusCode()).isEqualTo(200);
    assertThat(svg.headers().firstValue("Content-Type").orElse("")).startsWith("image/svg+xml");
    assertThat(svg.body()).startsWith("<svg");
  }

  @Test
  void theAssetsAreCachedByVersionAndTheCspAllowsNoInlineScriptOrStyle() {
    TestBrowser browser = new TestBrowser(apiBase);
    String page = browser.get("/dev/marketplace").body();
    String css = page.replaceAll("(?s).*href=\"(/assets/mpconnect\\.css\\?v=[0-9a-f]+)\".*", "$1");

    HttpResponse<String> versioned = browser.get(css);
    HttpResponse<String> script = browser.get("/assets/signup.js");
    HttpResponse<String> missing = browser.get("/assets/nothing.js");

    assertThat(versioned.statusCode()).isEqualTo(200);
    assertThat(versioned.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
    assertThat(versioned.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, immutable");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
    assertThat(script.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(browser.get("/dev/marketplace").headers().firstValue("Content-Security-Policy")
        .orElseThrow()).contains("script-src 'nonce-", "style-src 'self'")
        .doesNotContain("unsafe-inline");
  }

  @Test
  void anUnknownPathGetsA404WithoutAStackTrace() {
    HttpResponse<String> page = new TestBrowser(apiBase).get("/no/such/page");
    HttpResponse<String> api = new TestBrowser(apiBase).get("/api/no/such/thing");

    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body()).contains("<html").doesNotContain("Exception");
    assertThat(api.statusCode()).isEqualTo(404);
    assertThat(json(api).path("message").asText()).isNotBlank();
  }

  // ---- operations ----

  @Test
  void theReadinessEndpointSaysReadyWhenTemporalAnswers() {
    HttpResponse<String> ready = new TestBrowser(apiBase).get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).path("status").asText()).isEqualTo("ready");
    assertThat(new TestBrowser(apiBase).get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void theMetricsEndpointCountsRegistrationsAndApiCalls() {
    TestBrowser browser = new TestBrowser(apiBase);
    String id = register(browser, customerToken("123456789012"));
    browser.get("/api/onboardings/" + id);
    browser.postForm("/marketplace/aws/register", "x-amzn-marketplace-token=");
    browser.get("/api/no/such/thing");

    String metrics = browser.get("/metrics").body();

    assertThat(metrics).contains("mpconnect_registrations_total{result=\"accepted\"}",
        "mpconnect_registrations_total{result=\"rejected\"}", "mpconnect_onboarding_api_calls_total",
        "route=\"/api/onboardings/{id}\"", "route=\"unmatched\"", "status=\"200\"", "jvm_memory_used_bytes");
  }

  // ---- helpers ----

  /** A token the fake marketplace resolves to this AWS account. */
  static String customerToken(String awsAccountId) {
    String token = "tok-" + randomHex();
    marketplace.tokens.put(token, new ResolvedCustomer("test-product", awsAccountId, null));
    return token;
  }

  static String register(TestBrowser browser, String token) {
    HttpResponse<String> response = browser.postForm("/marketplace/aws/register",
        TestBrowser.form(Map.of("x-amzn-marketplace-token", token)));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(303);
    String location = response.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/signup/");
    return location.substring("/signup/".length());
  }

  static String registeredId(TestBrowser browser) {
    return register(browser, customerToken("999988887777"));
  }

  /** Registers, signs in as a new owner, and waits for the organization choice. */
  static String signedInOnboarding(TestBrowser browser) {
    String id = register(browser, customerToken("123456789012"));
    HttpResponse<String> callback = signIn(browser, id, "owner-" + randomHex(),
        "{\"email\":\"owner@example.com\",\"email_verified\":true}");
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
    awaitStep(id, OnboardingStep.AWAITING_ORGANIZATION);
    return id;
  }

  /** The whole redirect dance: api login, provider login form, provider redirect, api callback. */
  static HttpResponse<String> signIn(TestBrowser browser, String id, String subject, String claims) {
    return browser.get(providerLogin(browser, id, subject, claims));
  }

  /** Up to the provider's redirect back: returns the callback URL it sends the browser to. */
  static String providerLogin(TestBrowser browser, String id, String subject, String claims) {
    HttpResponse<String> login = browser.get("/auth/" + PROVIDER + "/login?onboarding=" + id);
    assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
    String authorize = login.headers().firstValue("Location").orElseThrow();
    assertThat(authorize).startsWith(issuer).contains("code_challenge_method=S256", "nonce=", "state=");

    HttpResponse<String> form = browser.get(authorize);
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body()).contains("username");
    HttpResponse<String> posted =
        browser.postForm(authorize, TestBrowser.form(Map.of("username", subject, "claims", claims)));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    String callback = posted.headers().firstValue("Location").orElseThrow();
    assertThat(callback).startsWith(apiBase + "/auth/" + PROVIDER + "/callback?");
    return callback;
  }

  static HttpResponse<String> connect(TestBrowser browser, String id, String json) {
    String csrf = json(browser.get("/api/onboardings/" + id)).path("csrfToken").asText();
    return browser.postJson("/api/onboardings/" + id + "/connect", json, csrf);
  }

  static long history(String id) {
    return temporal.getWorkflowClient()
        .fetchHistory(OnboardingIds.workflowId(id)).getHistory().getEventsCount();
  }

  static OnboardingView view(String id) {
    return temporal.getWorkflowClient()
        .newUntypedWorkflowStub(OnboardingIds.workflowId(id))
        .query("view", OnboardingView.class);
  }

  static OnboardingView awaitStep(String id, OnboardingStep step) {
    return awaitView(id, v -> v.step() == step);
  }

  static OnboardingView awaitView(String id, Predicate<OnboardingView> condition) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    OnboardingView last = null;
    while (System.nanoTime() < deadline) {
      last = view(id);
      if (condition.test(last)) {
        return last;
      }
      sleep(50);
    }
    return fail("onboarding " + id + " never reached the expected state; last view: " + last);
  }

  static Optional<DescribeWorkflowExecutionResponse> describe(String onboardingId) {
    WorkflowClient client = temporal.getWorkflowClient();
    try {
      return Optional.of(client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace())
              .setExecution(WorkflowExecution.newBuilder()
                  .setWorkflowId(OnboardingIds.workflowId(onboardingId)))
              .build()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  static JsonNode json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .as(response.body()).startsWith("application/json");
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  static String randomHex() {
    byte[] bytes = new byte[8];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The string with one character changed (at the end: only base64's spare bits). */
  static String flip(String s, int index) {
    char c = s.charAt(index);
    return s.substring(0, index) + (c == 'A' ? 'B' : 'A') + s.substring(index + 1);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A port outside the kernel's ephemeral range, so nothing else takes it before the api binds. */
  static int freePort() throws IOException {
    return io.mpconnect.standins.temporal.LoopbackPorts.pick();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
