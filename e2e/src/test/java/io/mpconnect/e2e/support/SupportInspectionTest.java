package io.mpconnect.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Metrics;
import io.mpconnect.e2e.harness.Seeds;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.SupportBrowser;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.e2e.replay.ReplayExport;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What support staff and operators rely on, on the real server: the Temporal Web UI finds a
 * customer's onboarding by AWS account id and shows its step; the runbook's List Filters find the
 * right executions; logs are JSON lines with the workflow id and never a token or an e-mail
 * address; both processes export Prometheus metrics; and histories recorded here replay against
 * the current workflow code (with {@code -Dreplay.export=<dir>} they are written as fixtures).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SupportInspectionTest {
  private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
  private static final Pattern ONBOARDING_ID = Pattern.compile("onboarding-[0-9a-f]{32}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Stack stack;
  private static final Map<String, Customer> scenarios = new LinkedHashMap<>();
  private static final List<Customer> everyone = new ArrayList<>();
  private static Customer waitingForChoice;

  @BeforeAll
  static void start() {
    // Short human timeouts so the abandoned outcomes happen during the run.
    stack = Stack.start("support", new Stack.Options()
        .timeouts(Duration.ofSeconds(20), Duration.ofSeconds(45)));
    try (Journeys journeys = new Journeys(8)) {
      Customer newOrganization = scenario("connected-new-organization", "sup-new");
      journeys.run(() -> newOrganization.connectNewOrganization("Support New Org"));

      Customer existing = scenario("connected-existing-organization", "sup-existing");
      String organization = Seeds.ownerWithOrganization(stack.jdbi(), stack.issuer(),
          existing.subject(), existing.email(), "Support Existing Org", "STARTER");
      journeys.run(() -> existing.awsConfirmsSubscription().register().signIn()
          .chooseOrganization(organization));

      Customer late = scenario("connected-aws-confirms-after-the-choice", "sup-late");
      journeys.run(() -> late.register().signIn().createOrganization("Support Late Org")
          .awsConfirmsSubscription());

      Customer throttled = scenario("connected-after-throttling", "sup-throttled");
      journeys.run(() -> {
        stack.metering().failNext("ResolveCustomer", "ThrottlingException", 2);
        throttled.connectNewOrganization("Support Throttled Org");
      });

      waitingForChoice = scenario("abandoned-without-choice", "sup-waiting");
      journeys.run(() -> waitingForChoice.awsConfirmsSubscription().register().signIn());
      scenario("abandoned-without-sign-in", "sup-nosignin").register();

      Customer invalid = new Customer(stack, Customer.newAccountId(), "bogus-token-e2e", "sup-invalid");
      put("invalid-token", invalid).register();
      Customer expired = new Customer(stack, Customer.newAccountId(), "expired-token-e2e", "sup-expired");
      put("expired-token", expired).register();
      String foreignAccount = Customer.newAccountId();
      Customer foreign = new Customer(stack, foreignAccount,
          "demo-wrongproduct-" + foreignAccount + "-e2e", "sup-foreign");
      put("wrong-product", foreign).register();
      journeys.awaitAll(Duration.ofMinutes(3));

      // The same AWS customer again, once it is linked: no second link.
      Waits.until("the first onboarding to close", Duration.ofMinutes(2), () ->
          newOrganization.view().outcome() != null);
      Customer again = new Customer(stack, newOrganization.awsAccountId(),
          io.mpconnect.standins.metering.MeteringStandIn.newDemoToken(
              newOrganization.awsAccountId()), "sup-again");
      put("already-linked", again).register();
    }
  }

  private static Customer scenario(String name, String subject) {
    return put(name, Customer.of(stack, Customer.newAccountId(), subject));
  }

  private static Customer put(String name, Customer customer) {
    scenarios.put(name, customer);
    everyone.add(customer);
    return customer;
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void theTemporalUiShowsWhereACustomerStandsOnTheFirstScreen() throws IOException {
    Path screenshots = Path.of(System.getProperty("e2e.target", "target")).resolve("screenshots");
    Files.createDirectories(screenshots);
    // A customer who signed in and has not chosen yet (the choice times out after 45 s).
    Customer waiting = Customer.of(stack, Customer.newAccountId(), "sup-ui")
        .awsConfirmsSubscription().register().signIn();
    waiting.awaitStep(OnboardingStep.AWAITING_ORGANIZATION, Duration.ofSeconds(30));
    String account = waiting.awsAccountId();
    String workflowId = waiting.workflowId();
    // The runbook's "everyone waiting at a step" filter, while this one waits. Visibility is
    // eventually consistent: the step's upsert shows in searches a moment after it happened.
    Waits.until("the waiting onboarding is found by its step", Duration.ofSeconds(30),
        () -> ids("OnboardingStep=\"AWAITING_ORGANIZATION\" AND ExecutionStatus=\"Running\"")
            .contains(workflowId));
    try (Playwright playwright = Playwright.create(new Playwright.CreateOptions()
            .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        com.microsoft.playwright.Browser browser = playwright.chromium().launch(
            new BrowserType.LaunchOptions()
                .setExecutablePath(chromium())
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-dev-shm-usage")))) {
      Page page = browser.newPage(new com.microsoft.playwright.Browser.NewPageOptions()
          .setViewportSize(1500, 1000));
      page.setDefaultTimeout(60_000);
      // Support signs in at the api, so the UI decodes the (encrypted) summaries and details.
      SupportBrowser.codecConfigured(SupportBrowser.signIn(page, stack), stack);
      SupportBrowser.supportColumns(page, stack);

      // What support types into the List Filter: the AWS account id from the ticket.
      page.navigate(listUrl("MarketplaceAccountId=\"" + account + "\""));
      Locator row = page.getByText(workflowId).first();
      row.waitFor();
      // The runbook's columns: the step and the account on the list itself.
      showsText(page, "OnboardingStep");
      showsText(page, "AWAITING_ORGANIZATION");
      shoot(page, screenshots, "temporal-ui-filter-by-aws-account.png");

      // The step is a search attribute too: narrowing by it still finds the onboarding.
      page.navigate(listUrl("MarketplaceAccountId=\"" + account
          + "\" AND OnboardingStep=\"AWAITING_ORGANIZATION\""));
      page.getByText(workflowId).first().waitFor();

      // The history names its timers (the sign-in one cancelled once the customer signed in).
      List<io.temporal.api.history.v1.HistoryEvent> events =
          stack.client().fetchHistory(workflowId).getEvents();
      io.temporal.common.converter.DataConverter converter =
          stack.client().getOptions().getDataConverter();
      List<String> timers = events.stream()
          .filter(e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED)
          .map(e -> converter.fromPayload(e.getUserMetadata().getSummary(), String.class,
              String.class))
          .toList();
      // A sign-in already under way when the step began cancels its timer in the same workflow
      // task, and the SDK then sends neither command: no sign-in timer at all is fine too.
      long signInTimers = timers.stream().filter("sign-in timeout (20s)"::equals).count();
      assertThat(timers).containsSubsequence("organization choice timeout (45s)")
          .allMatch(t -> t.equals("sign-in timeout (20s)")
              || t.equals("organization choice timeout (45s)"));
      assertThat(events).as("every sign-in timer cancelled, none fired").filteredOn(
              e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_CANCELED)
          .hasSize((int) signInTimers);
      assertThat(events).filteredOn(
              e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED)
          .isEmpty();

      // The execution opens on its timeline: the journey so far, activities and timers by name.
      openExecution(page, workflowId);
      showsText(page, "Resolve the registration token with AWS");
      shoot(page, screenshots, "temporal-ui-onboarding-timeline.png");

      // User Metadata (UI 2.54 renders them on this tab, as markdown in frames of their own):
      // what it is, what it waits for and since when, the account.
      page.locator("[data-testid=user-metadata-tab]").click();
      showsText(page, "AWS Marketplace onboarding");
      showsText(page, "Waiting for the customer to choose an organization");
      showsText(page, "AWS account " + account);
      shoot(page, screenshots, "temporal-ui-onboarding-summary-and-details.png");

      // Its search attributes: the step, the account, the product.
      page.locator("[data-testid=search-attributes-tab]").click();
      page.getByText("AWAITING_ORGANIZATION").first().waitFor();
      page.getByText(account).first().waitFor();
      shoot(page, screenshots, "temporal-ui-onboarding-step.png");

      // The customer's subscription (AWS's event started it): product, account, status, licenses.
      page.navigate(listUrl("MarketplaceAccountId=\"" + account
          + "\" AND WorkflowType=\"SubscriptionWorkflow\""));
      String subscriptionId = SubscriptionIds.workflowId(Stack.PRODUCT_CODE, account);
      page.getByText(subscriptionId).first().waitFor();
      openExecution(page, subscriptionId);
      page.locator("[data-testid=user-metadata-tab]").click();
      showsText(page, "AWS Marketplace subscription · product " + Stack.PRODUCT_CODE
          + " · AWS account " + account);
      showsText(page, "waiting for an onboarding to link an organization");
      shoot(page, screenshots, "temporal-ui-subscription-summary-and-details.png");

      // A finished onboarding says what it connected, not only its outcome.
      Customer connected = scenarios.get("connected-new-organization");
      Waits.until("the connected onboarding to close", Duration.ofMinutes(2),
          () -> connected.view().outcome() != null);
      page.navigate(listUrl("MarketplaceAccountId=\"" + connected.awsAccountId()
          + "\" AND WorkflowType=\"OnboardingWorkflow\""));
      page.getByText(connected.workflowId()).first().waitFor();
      openExecution(page, connected.workflowId());
      page.locator("[data-testid=user-metadata-tab]").click();
      showsText(page, "Connected organization");
      showsText(page, "Support New Org");
      showsText(page, "to AWS account " + connected.awsAccountId() + " at ");
      shoot(page, screenshots, "temporal-ui-onboarding-connected.png");

      // The waiting onboarding's history in the UI: the timers by name.
      page.navigate(listUrl("MarketplaceAccountId=\"" + account + "\""));
      page.getByText(workflowId).first().waitFor();
      openExecution(page, workflowId);
      page.locator("[data-testid=history-tab]").click();
      showsText(page, "organization choice timeout (45s)");
      shoot(page, screenshots, "temporal-ui-onboarding-history.png");
    }
    assertThat(screenshots.resolve("temporal-ui-filter-by-aws-account.png")).exists();
  }

  @Test
  @Order(2)
  void theRunbooksListFiltersFindTheRightOnboardings() {
    Customer connected = scenarios.get("connected-existing-organization");
    Waits.until("the connected onboarding to close", Duration.ofMinutes(2),
        () -> connected.view().outcome() != null);
    String organization = connected.view().organization().id();
    // Searches are eventually consistent: wait until they show the last upsert (the outcome).
    Waits.until("searches show the closed onboarding", Duration.ofSeconds(30),
        () -> ids("OnboardingStep=\"DONE\" AND OnboardingOutcome=\"CONNECTED\"")
            .contains(connected.workflowId()));
    assertThat(ids("OrganizationId=\"" + organization + "\" AND WorkflowType=\"OnboardingWorkflow\""))
        .containsExactly(connected.workflowId());
    assertThat(ids("MarketplaceAccountId=\"" + connected.awsAccountId()
        + "\" AND WorkflowType=\"OnboardingWorkflow\""))
        .containsExactly(connected.workflowId());
    assertThat(ids("OnboardingStep=\"DONE\" AND OnboardingOutcome=\"CONNECTED\""))
        .contains(connected.workflowId())
        .doesNotContain(scenarios.get("abandoned-without-sign-in").workflowId());
    assertThat(ids("OnboardingOutcome=\"INVALID_TOKEN\""))
        .containsExactly(scenarios.get("invalid-token").workflowId());
    // AWS refused these tokens, so they carry no account id: support finds them by outcome.
    assertThat(ids("OnboardingOutcome=\"WRONG_PRODUCT\""))
        .containsExactly(scenarios.get("wrong-product").workflowId());
  }

  @Test
  @Order(3)
  void bothProcessesExportPrometheusMetrics() {
    Waits.until("the SDK's and our metrics on both processes", Duration.ofSeconds(30), () -> {
      Metrics worker = Metrics.scrape(stack.workerStatusBase() + "/metrics");
      Metrics api = Metrics.scrape(stack.apiBase() + "/metrics");
      return worker.sum("mpconnect_onboardings_started_total", Map.of()) >= 8
          && worker.sum("mpconnect_onboardings_completed_total", Map.of("outcome", "CONNECTED")) >= 3
          && worker.sum("mpconnect_onboarding_step_duration_seconds_count",
              Map.of("step", "AWAITING_AUTHENTICATION")) >= 4
          && worker.sum("mpconnect_aws_call_errors_total", Map.of("type", "AwsThrottled")) >= 2
          && worker.has("temporal_activity_execution_latency_seconds_count")
          && worker.has("temporal_workflow_task_execution_latency_seconds_count")
          && worker.has("jvm_memory_used_bytes")
          && api.sum("mpconnect_registrations_total", Map.of("result", "accepted")) >= 8
          && api.has("temporal_request_total")
          && api.has("jvm_memory_used_bytes");
    });
  }

  @Test
  @Order(4)
  void realServerHistoriesReplayAgainstTheCurrentWorkflowCode() throws Exception {
    Waits.until("every scenario to close (the abandoned ones time out)", Duration.ofMinutes(3),
        () -> everyone.stream().allMatch(c -> closed(c.workflowId())));
    Map<String, OnboardingOutcome> outcomes = Map.of(
        "connected-new-organization", OnboardingOutcome.CONNECTED,
        "connected-existing-organization", OnboardingOutcome.CONNECTED,
        "connected-aws-confirms-after-the-choice", OnboardingOutcome.CONNECTED,
        "connected-after-throttling", OnboardingOutcome.CONNECTED,
        "abandoned-without-choice", OnboardingOutcome.ABANDONED,
        "abandoned-without-sign-in", OnboardingOutcome.ABANDONED,
        "invalid-token", OnboardingOutcome.INVALID_TOKEN,
        "expired-token", OnboardingOutcome.EXPIRED_TOKEN,
        "wrong-product", OnboardingOutcome.WRONG_PRODUCT,
        "already-linked", OnboardingOutcome.ALREADY_LINKED);
    String exportTo = System.getProperty("replay.export");
    Path directory = exportTo == null || exportTo.isBlank()
        ? Path.of(System.getProperty("e2e.target", "target")).resolve("replay-export")
        : Path.of(exportTo);
    for (Map.Entry<String, Customer> scenario : scenarios.entrySet()) {
      Customer customer = scenario.getValue();
      assertThat(customer.view().outcome()).as(scenario.getKey())
          .isEqualTo(outcomes.get(scenario.getKey()));
      Path file = ReplayExport.export(stack.client(), customer.workflowId(),
          directory.resolve("onboarding-realserver-" + scenario.getKey() + ".json"));
      String history = Files.readString(file);
      assertThat(history).as("redacted").doesNotContain(customer.token())
          .doesNotContain(customer.email());
      WorkflowReplayer.replayWorkflowExecution(history, OnboardingWorkflowImpl.class);
    }
  }

  @Test
  @Order(5)
  void logsAreJsonLinesWithTheWorkflowIdAndNeverATokenOrAnEmailAddress() throws IOException {
    List<String> tokens = everyone.stream().map(Customer::token).toList();
    int lines = 0;
    int withWorkflowId = 0;
    int apiWithWorkflowId = 0;
    for (Path log : stack.processLogs()) {
      for (String line : Files.readAllLines(log)) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        JsonNode json;
        try {
          json = JSON.readTree(line);
        } catch (IOException e) {
          throw new AssertionError(log.getFileName() + " has a line that is not JSON: " + line);
        }
        assertThat(json.has("@timestamp") && json.has("level") && json.has("message"))
            .as(line).isTrue();
        for (String token : tokens) {
          assertThat(line).as(log.getFileName() + " leaks a registration token").doesNotContain(token);
        }
        assertThat(EMAIL.matcher(line).find())
            .as(log.getFileName() + " leaks an e-mail address: " + line).isFalse();
        if (json.hasNonNull("ActivityType")) {
          assertThat(json.path("WorkflowId").asText()).as(line).isNotBlank();
        }
        boolean namesOnboarding = json.path("WorkflowId").asText().startsWith("onboarding-")
            || ONBOARDING_ID.matcher(json.path("message").asText()).find();
        if (namesOnboarding) {
          withWorkflowId++;
          if (log.getFileName().toString().startsWith("api")) {
            apiWithWorkflowId++;
          }
        }
      }
    }
    assertThat(lines).isGreaterThan(20);
    assertThat(withWorkflowId).isGreaterThan(5);
    assertThat(apiWithWorkflowId).as("api lines about an onboarding carry its id").isPositive();
  }

  /** Opens an execution from the list shown (on its timeline, where support lands). */
  private static void openExecution(Page page, String workflowId) {
    page.locator("a[href*='/workflows/" + workflowId + "/']").first().click();
    page.waitForURL(url -> url.contains("/workflows/" + workflowId));
  }

  /**
   * Waits until the page or one of its frames (summary and details are rendered in frames) shows
   * {@code text} without scrolling or clicking.
   */
  private static void showsText(Page page, String text) {
    Waits.until("the Temporal UI shows \"" + text + "\"", Duration.ofSeconds(60),
        () -> page.frames().stream().anyMatch(frame -> {
          try {
            // innerText for what is rendered as text, textContent for the timeline's SVG labels.
            Object shown = frame.evaluate("() => document.body"
                + " ? document.body.innerText + '\\n' + document.body.textContent : ''");
            return String.valueOf(shown).contains(text);
          } catch (PlaywrightException detached) {
            return false;
          }
        }),
        () -> "URL " + page.url());
  }

  /**
   * A screenshot in target/screenshots and, for the runbook (docs/operations.md), in
   * docs/images/temporal-ui: each run refreshes the images the runbook shows.
   */
  private static void shoot(Page page, Path screenshots, String name) {
    byte[] png = page.screenshot(new Page.ScreenshotOptions()
        .setPath(screenshots.resolve(name)).setFullPage(false));
    Path docs = Path.of(System.getProperty("e2e.repositoryRoot", ".."))
        .resolve("docs/images/temporal-ui");
    try {
      Files.createDirectories(docs);
      Files.write(docs.resolve(name), png);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean closed(String workflowId) {
    return stack.describe(workflowId).getWorkflowExecutionInfo().getStatus()
        != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }

  private static List<String> ids(String query) {
    return stack.service().blockingStub().listWorkflowExecutions(
            ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace("default").setQuery(query).setPageSize(100).build())
        .getExecutionsList().stream()
        .map(WorkflowExecutionInfo::getExecution)
        .map(e -> e.getWorkflowId())
        .toList();
  }

  private static String listUrl(String query) {
    return stack.uiUrl() + "/namespaces/default/workflows?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  /** Debian's Chromium (bin/test installs it); the test fails, never skips, without it. */
  private static Path chromium() {
    Path path = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("Chromium is missing at " + path
          + ": bin/test installs it (apt-get install -y chromium), or set CHROMIUM_PATH.");
    }
    return path;
  }
}
