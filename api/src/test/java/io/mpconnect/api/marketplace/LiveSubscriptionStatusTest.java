package io.mpconnect.api.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpconnect.api.FakeSubscriptionWorkflow;
import io.mpconnect.api.onboarding.ViewJson;
import io.mpconnect.api.web.Json;
import io.mpconnect.workflows.messages.AwsSubscriptionState;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sign-up view's live subscription: status and licenses from the subscription workflow of the
 * customer's AWS account (played by {@link FakeSubscriptionWorkflow} on Temporal's in-process test
 * server), as {@code GET /api/onboardings/{id}} renders them.
 */
class LiveSubscriptionStatusTest {
  private static final String TASK_QUEUE = "live-subscription-test";
  private static final String PRODUCT = "prod-live";
  private static final Instant FROM = Instant.parse("2026-06-02T08:00:00Z");
  private static final License FIRST = new License("agmt-1",
      "arn:aws:license-manager::111:license/l-1", "agmt-1", LicenseStatus.USABLE, FROM, null, null,
      true, "offer-1", "NEW", null, FROM);
  private static final License SECOND = new License("arn:arn-2", "arn-2", null,
      LicenseStatus.PENDING, null, null, null, null, null, null, null, null);

  private static TestWorkflowEnvironment temporal;
  private static WorkflowClient client;

  @BeforeAll
  static void start() {
    temporal = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    Worker worker = temporal.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(FakeSubscriptionWorkflow.Impl.class);
    temporal.start();
    client = temporal.getWorkflowClient();
  }

  @AfterAll
  static void stop() {
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  void anUnchangedStatus_keepsTheStatusAndMessage_andItsJsonCarriesTheAccountsLicenses()
      throws Exception {
    subscription("210000000001", "210000000001", "org-1", SubscriptionStatus.ACTIVE, "STANDARD",
        FIRST, SECOND);
    OnboardingView closed = connected("210000000001", null, "org-1", SubscriptionStatus.ACTIVE,
        "STANDARD");

    OnboardingView refreshed = LiveSubscriptionStatus.refresh(client, closed);

    assertThat(refreshed.subscription().status()).isEqualTo(closed.subscription().status());
    assertThat(refreshed.message()).isEqualTo(closed.message());
    assertThat(refreshed.organization()).isEqualTo(closed.organization());
    JsonNode body = Json.MAPPER.valueToTree(ViewJson.of(refreshed, "csrf"));
    JsonNode subscription = body.path("subscription");
    assertThat(subscription.path("status").asText()).isEqualTo("ACTIVE");
    assertThat(subscription.path("licenses")).hasSize(2);
    JsonNode first = subscription.path("licenses").get(0);
    assertThat(fieldNames(first))
        .containsExactlyInAnyOrder("licenseArn", "agreementId", "status", "freeTrial", "offerId");
    assertThat(first.path("licenseArn").asText()).isEqualTo("arn:aws:license-manager::111:license/l-1");
    assertThat(first.path("agreementId").asText()).isEqualTo("agmt-1");
    assertThat(first.path("status").asText()).isEqualTo("USABLE");
    assertThat(first.path("freeTrial").asBoolean()).isTrue();
    assertThat(first.path("offerId").asText()).isEqualTo("offer-1");
    JsonNode second = subscription.path("licenses").get(1);
    assertThat(second.path("licenseArn").asText()).isEqualTo("arn-2");
    assertThat(second.path("agreementId").isNull()).isTrue();
    assertThat(second.path("status").asText()).isEqualTo("PENDING");
    assertThat(second.path("freeTrial").isNull()).as("unknown").isTrue();
  }

  @Test
  void aChangedStatus_refreshesTheView_withTheLicenses() {
    subscription("210000000002", "210000000002", "org-2", SubscriptionStatus.ACTIVE, "STANDARD",
        FIRST);
    OnboardingView closed = connected("210000000002", null, "org-2", SubscriptionStatus.PENDING,
        "STARTER");

    LiveSubscriptionStatus.Live live = LiveSubscriptionStatus.read(client, closed);

    assertThat(live.view().subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(live.view().organization().plan()).isEqualTo("STANDARD");
    assertThat(live.licenses()).containsExactly(FIRST);
    ViewJson json = ViewJson.of(live, "csrf");
    assertThat(json.subscription().licenses()).containsExactly(new ViewJson.LicenseJson(
        FIRST.licenseArn(), "agmt-1", "USABLE", true, "offer-1"));
  }

  @Test
  void anOnboardingThatEndedAtTheLink_getsTheSubscriptionsStatusPlanAndLicenses() {
    subscription("210000000011", "210000000011", "org-11", SubscriptionStatus.ACTIVE, "STANDARD",
        FIRST);
    OnboardingView endedAtLink = connected("210000000011", null, "org-11", null, "STARTER");

    OnboardingView refreshed = LiveSubscriptionStatus.refresh(client, endedAtLink);

    assertThat(refreshed.subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(refreshed.organization().plan()).isEqualTo("STANDARD");
    assertThat(refreshed.message()).contains("has confirmed");
    ViewJson json = ViewJson.of(refreshed, "csrf");
    assertThat(json.subscription().status()).isEqualTo("ACTIVE");
    assertThat(json.subscription().licenses()).hasSize(1);
  }

  @Test
  void beforeTheLinkReachedTheSubscription_itsStatusFillsAnEmptyOne_butNeverReplacesOne() {
    subscription("210000000012", "210000000012", null, SubscriptionStatus.PENDING, null, FIRST);
    OnboardingView endedAtLink = connected("210000000012", null, "org-12", null, "STARTER");
    OnboardingView waitedForAws = connected("210000000012", null, "org-12",
        SubscriptionStatus.ACTIVE, "STANDARD");

    LiveSubscriptionStatus.Live filled = LiveSubscriptionStatus.read(client, endedAtLink);
    LiveSubscriptionStatus.Live kept = LiveSubscriptionStatus.read(client, waitedForAws);

    assertThat(filled.view().subscription().status()).isEqualTo(SubscriptionStatus.PENDING);
    assertThat(filled.view().organization().plan()).isEqualTo("STARTER");
    assertThat(filled.licenses()).as("the account's licenses").containsExactly(FIRST);
    assertThat(kept.view()).isSameAs(waitedForAws);
    assertThat(kept.licenses()).containsExactly(FIRST);
  }

  @Test
  void anOnboardingThatEndedAtTheLink_withNoSubscriptionAnswering_staysWithoutStatus() {
    OnboardingView endedAtLink = connected("210000000013", null, "org-13", null, "STARTER");

    LiveSubscriptionStatus.Live live = LiveSubscriptionStatus.read(client, endedAtLink);

    assertThat(live.view()).isSameAs(endedAtLink);
    assertThat(live.licenses()).isEmpty();
    assertThat(ViewJson.of(endedAtLink, "csrf").subscription()).isNull();
  }

  @Test
  void theRefreshedViewCarriesItsSubscriptionsLicenses_anUnrefreshedOneNone() {
    subscription("210000000003", "210000000003", "org-3", SubscriptionStatus.ACTIVE, "STANDARD",
        FIRST);
    OnboardingView closed = connected("210000000003", null, "org-3", SubscriptionStatus.ACTIVE,
        "STANDARD");

    OnboardingView refreshed = LiveSubscriptionStatus.refresh(client, closed);

    assertThat(ViewJson.of(closed, "csrf").subscription().licenses()).isEmpty();
    assertThat(ViewJson.of(refreshed, "csrf").subscription().licenses()).hasSize(1);
  }

  @Test
  void aSubscriptionOfAnotherOrganization_orNone_orAnOnboardingNotConnected_hasNoLicenses() {
    subscription("210000000005", "210000000005", "org-someone-else", SubscriptionStatus.ACTIVE,
        "STANDARD", FIRST);

    OnboardingView other = connected("210000000005", null, "org-5", SubscriptionStatus.PENDING,
        "STARTER");
    OnboardingView none = connected("210000000006", null, "org-6", SubscriptionStatus.PENDING,
        "STARTER");
    OnboardingView waiting = new OnboardingView("onb-w", OnboardingStep.AWAITING_ORGANIZATION,
        null, new OnboardingView.Customer("210000000005", null, PRODUCT), null, List.of(), null,
        null, null);

    for (OnboardingView view : List.of(other, none, waiting)) {
      LiveSubscriptionStatus.Live live = LiveSubscriptionStatus.read(client, view);
      assertThat(live.view()).isSameAs(view);
      assertThat(live.licenses()).isEmpty();
    }
    assertThat(ViewJson.of(LiveSubscriptionStatus.refresh(client, other), "c").subscription()
        .licenses()).isEmpty();
    assertThat(ViewJson.of(waiting, "c").subscription()).isNull();
  }

  @Test
  void theSubscriptionIsTheAccounts_evenWhenTheCustomerHasALegacyIdentifier() {
    // One workflow under the identifier (the code before licenses) and one under the account.
    subscription("cust-both", "210000000007", "org-7", SubscriptionStatus.PENDING, "STARTER");
    subscription("210000000007", "210000000007", "org-7", SubscriptionStatus.ACTIVE, "STANDARD",
        FIRST);
    OnboardingView closed = connected("210000000007", "cust-both", "org-7",
        SubscriptionStatus.PENDING, "STARTER");

    LiveSubscriptionStatus.Live live = LiveSubscriptionStatus.read(client, closed);

    assertThat(live.view().subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(live.licenses()).containsExactly(FIRST);
  }

  @Test
  void aSubscriptionNotMigratedYet_stillAnswersUnderItsLegacyIdentifier() {
    subscription("cust-legacy-only", "210000000008", "org-8", SubscriptionStatus.ACTIVE,
        "STANDARD");
    OnboardingView closed = connected("210000000008", "cust-legacy-only", "org-8",
        SubscriptionStatus.PENDING, "STARTER");

    LiveSubscriptionStatus.Live live = LiveSubscriptionStatus.read(client, closed);

    assertThat(live.view().subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(live.licenses()).as("the code before licenses has none").isEmpty();
  }

  // ---- helpers

  private static OnboardingView connected(String account, String identifier, String organization,
      SubscriptionStatus status, String plan) {
    return new OnboardingView("onb-" + account, OnboardingStep.DONE, OnboardingOutcome.CONNECTED,
        new OnboardingView.Customer(account, identifier, PRODUCT), null, List.of(),
        new OrganizationRef(organization, "Org " + account, plan),
        status == null ? null : new OnboardingView.Subscription(status), "connected");
  }

  private static void subscription(String key, String account, String organization,
      SubscriptionStatus status, String plan, License... licenses) {
    String workflowId = SubscriptionIds.workflowId(PRODUCT, key);
    SubscriptionView view = new SubscriptionView(workflowId, PRODUCT, key, null, account,
        organization, "Org " + account, status, AwsSubscriptionState.SUBSCRIBED, plan, null, null,
        1, 0, 0, null, List.of(licenses));
    FakeSubscriptionWorkflow.start(client, TASK_QUEUE, view);
    awaitAnswer(key);
  }

  private static void awaitAnswer(String key) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (LiveSubscriptionStatus.subscriptionOf(client, PRODUCT, null, key).isPresent()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // The workflow has not run its first task yet.
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("the fake subscription " + key + " did not answer");
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
