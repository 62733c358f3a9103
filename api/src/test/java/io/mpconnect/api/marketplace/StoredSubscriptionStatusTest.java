package io.mpconnect.api.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpconnect.api.console.ConsoleData;
import io.mpconnect.api.onboarding.ViewJson;
import io.mpconnect.api.web.Json;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.LicenseRepository;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.standins.temporal.LoopbackPorts;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sign-up view's subscription: status, plan and licenses from the rows the subscription
 * workflow writes (the link, the organization, {@code marketplace_licenses}), read from a real
 * PostgreSQL through the console's read-only pool as the api's own database role, as {@code GET
 * /api/onboardings/{id}} renders them.
 */
class StoredSubscriptionStatusTest {
  private static final String PRODUCT = "prod-stored";
  private static final String API_PASSWORD = "api-test-password";
  private static final Instant FROM = Instant.parse("2026-06-02T08:00:00Z");
  private static final LicenseRepository.Entry USABLE = new LicenseRepository.Entry("agmt-1",
      "arn:aws:license-manager::111:license/l-1", "agmt-1", MarketplaceLicense.Status.USABLE, FROM,
      null, null, true, "offer-1", "NEW", null);
  private static final LicenseRepository.Entry PENDING = new LicenseRepository.Entry("arn:arn-2",
      "arn-2", null, MarketplaceLicense.Status.PENDING, null, null, null, null, null, null, null);
  private static final AtomicLong accounts = new AtomicLong(210_000_000_000L);

  private static EmbeddedDatabase postgres;
  private static Database database;
  private static ConsoleData data;
  private static StoredSubscriptionStatus subscriptions;

  @BeforeAll
  static void start() {
    postgres = EmbeddedDatabase.start();
    String url = postgres.createDatabase("api_stored_subscription");
    database = Database.connect(
        new DatabaseSettings(url, EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD), 2);
    // The api reads as its own role, with only the grants the migrations give it.
    database.jdbi().useHandle(h ->
        h.execute("ALTER ROLE mpconnect_api LOGIN PASSWORD '" + API_PASSWORD + "'"));
    data = new ConsoleData(new DatabaseSettings(url, "mpconnect_api", API_PASSWORD));
    subscriptions = new StoredSubscriptionStatus(StoredSubscriptionStatus.fromDatabase(data));
  }

  @AfterAll
  static void stop() {
    if (data != null) {
      data.close();
    }
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void anUnchangedStatus_keepsTheStatusAndMessage_andItsJsonCarriesTheAccountsLicenses() {
    Linked linked = linked(null, "ACTIVE", "STANDARD", USABLE, PENDING);
    OnboardingView closed = connected(linked, SubscriptionStatus.ACTIVE, "STANDARD");

    OnboardingView refreshed = subscriptions.refresh(closed);

    assertThat(refreshed.subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(refreshed.message()).isEqualTo(closed.message());
    assertThat(refreshed.organization()).isEqualTo(closed.organization());
    JsonNode subscription = Json.MAPPER.valueToTree(ViewJson.of(refreshed, "csrf"))
        .path("subscription");
    assertThat(subscription.path("status").asText()).isEqualTo("ACTIVE");
    assertThat(subscription.path("licenses")).as("newest first, pending (no start) first")
        .hasSize(2);
    JsonNode pending = subscription.path("licenses").get(0);
    assertThat(pending.path("licenseArn").asText()).isEqualTo("arn-2");
    assertThat(pending.path("agreementId").isNull()).isTrue();
    assertThat(pending.path("status").asText()).isEqualTo("PENDING");
    assertThat(pending.path("freeTrial").isNull()).as("unknown").isTrue();
    JsonNode usable = subscription.path("licenses").get(1);
    assertThat(fieldNames(usable))
        .containsExactlyInAnyOrder("licenseArn", "agreementId", "status", "freeTrial", "offerId");
    assertThat(usable.path("licenseArn").asText())
        .isEqualTo("arn:aws:license-manager::111:license/l-1");
    assertThat(usable.path("agreementId").asText()).isEqualTo("agmt-1");
    assertThat(usable.path("status").asText()).isEqualTo("USABLE");
    assertThat(usable.path("freeTrial").asBoolean()).isTrue();
    assertThat(usable.path("offerId").asText()).isEqualTo("offer-1");
  }

  @Test
  void aChangedStatus_refreshesTheView_withThePlanTheMessageAndTheLicenses() {
    Linked linked = linked(null, "ACTIVE", "STANDARD", USABLE);
    OnboardingView closed = connected(linked, SubscriptionStatus.PENDING, "STARTER");

    StoredSubscriptionStatus.Refreshed read = subscriptions.read(closed);

    assertThat(read.view().subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(read.view().organization().plan()).isEqualTo("STANDARD");
    assertThat(read.view().message()).contains("has confirmed").isNotEqualTo(closed.message());
    assertThat(read.licenses()).singleElement().satisfies(l -> {
      assertThat(l.key()).isEqualTo("agmt-1");
      assertThat(l.status()).isEqualTo(LicenseStatus.USABLE);
      assertThat(l.usableFrom()).isEqualTo(FROM);
    });
    assertThat(ViewJson.of(read, "csrf").subscription().licenses()).containsExactly(
        new ViewJson.LicenseJson(USABLE.licenseArn(), "agmt-1", "USABLE", true, "offer-1"));
  }

  @Test
  void anOnboardingThatEndedAtTheLink_getsTheStoredStatus_evenWhilePending() {
    Linked confirmed = linked(null, "ACTIVE", "STANDARD", USABLE);
    Linked notYet = linked(null, "PENDING", "STARTER", USABLE);

    OnboardingView active = subscriptions.refresh(connected(confirmed, null, "STARTER"));
    OnboardingView pending = subscriptions.refresh(connected(notYet, null, "STARTER"));

    assertThat(active.subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(active.organization().plan()).isEqualTo("STANDARD");
    assertThat(active.message()).contains("has confirmed");
    assertThat(ViewJson.of(active, "csrf").subscription().licenses()).hasSize(1);
    assertThat(pending.subscription().status())
        .as("linked, and the subscription has not applied AWS's answer yet")
        .isEqualTo(SubscriptionStatus.PENDING);
    assertThat(pending.organization().plan()).isEqualTo("STARTER");
    assertThat(pending.subscription().licenses()).hasSize(1);
  }

  @Test
  void theStatusFollowsTheRowsAtEveryRead() {
    Linked linked = linked(null, "ACTIVE", "STANDARD", USABLE);
    OnboardingView closed = connected(linked, null, "STARTER");
    assertThat(subscriptions.refresh(closed).subscription().status())
        .isEqualTo(SubscriptionStatus.ACTIVE);

    // AWS ended the subscription: the workflow puts the link on UNSUBSCRIBED, the plan back.
    database.jdbi().useTransaction(h -> {
      h.execute("UPDATE marketplace_links SET subscription_status = 'UNSUBSCRIBED'"
          + " WHERE organization_id = ?", linked.organizationId());
      h.execute("UPDATE organizations SET plan = 'STARTER', billing_provider = 'NONE'"
          + " WHERE id = ?", linked.organizationId());
    });
    OnboardingView ended = subscriptions.refresh(closed);

    assertThat(ended.subscription().status()).isEqualTo(SubscriptionStatus.UNSUBSCRIBED);
    assertThat(ended.organization().plan()).isEqualTo("STARTER");
  }

  @Test
  void aCustomerLinkedToAnotherOrganization_orNone_orAnOnboardingNotConnected_isLeftAlone() {
    Linked linked = linked(null, "ACTIVE", "STANDARD", USABLE);
    // The same customer as this onboarding saw it, but its view names another organization.
    UUID other = UUID.randomUUID();
    database.jdbi().useHandle(h ->
        h.execute("INSERT INTO organizations (id, name) VALUES (?, 'Other')", other));
    OnboardingView otherOrganization = connected(
        new Linked(linked.awsAccountId(), other), SubscriptionStatus.PENDING, "STARTER");
    OnboardingView unknownOrganization = connected(
        new Linked(linked.awsAccountId(), UUID.randomUUID()), SubscriptionStatus.PENDING,
        "STARTER");
    OnboardingView notAUuid = new OnboardingView("onb-x", OnboardingStep.DONE,
        OnboardingOutcome.CONNECTED, new OnboardingView.Customer(linked.awsAccountId(), null,
            PRODUCT), null, List.of(), new OrganizationRef("org-acme", "Acme", "STARTER"),
        null, "connected");
    OnboardingView anotherProduct = new OnboardingView("onb-p", OnboardingStep.DONE,
        OnboardingOutcome.CONNECTED, new OnboardingView.Customer(linked.awsAccountId(), null,
            "another-product"), null, List.of(),
        new OrganizationRef(linked.organizationId().toString(), "Org", "STARTER"), null, "x");
    OnboardingView anotherAccount = connected(
        new Linked("299999999999", linked.organizationId()), null, "STARTER");
    OnboardingView waiting = new OnboardingView("onb-w", OnboardingStep.AWAITING_ORGANIZATION,
        null, new OnboardingView.Customer(linked.awsAccountId(), null, PRODUCT), null, List.of(),
        null, null, null);

    for (OnboardingView view : List.of(otherOrganization, unknownOrganization, notAUuid,
        anotherProduct, anotherAccount, waiting)) {
      StoredSubscriptionStatus.Refreshed read = subscriptions.read(view);
      assertThat(read.view()).as(view.id()).isSameAs(view);
      assertThat(read.licenses()).as(view.id()).isEmpty();
    }
    assertThat(ViewJson.of(waiting, "c").subscription()).isNull();
  }

  @Test
  void aCustomerWithALegacyIdentifier_isReadByItsAccount() {
    Linked linked = linked("cust-legacy-" + UUID.randomUUID(), "ACTIVE", "STANDARD");
    OnboardingView closed = connected(linked, SubscriptionStatus.PENDING, "STARTER");

    StoredSubscriptionStatus.Refreshed read = subscriptions.read(closed);

    assertThat(read.view().subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(read.licenses()).as("a legacy subscription stored none").isEmpty();
  }

  @Test
  void whenTheDatabaseCannotBeRead_theOnboardingsOwnStatusStands() {
    DatabaseSettings away = new DatabaseSettings(
        "jdbc:postgresql://127.0.0.1:" + LoopbackPorts.pick() + "/mpconnect", "mpconnect_api",
        API_PASSWORD);
    try (ConsoleData unreachable = new ConsoleData(away)) {
      StoredSubscriptionStatus down =
          new StoredSubscriptionStatus(StoredSubscriptionStatus.fromDatabase(unreachable));
      OnboardingView closed = connected(new Linked("210999999999", UUID.randomUUID()),
          SubscriptionStatus.PENDING, "STARTER");

      OnboardingView read = down.refresh(closed);

      assertThat(read).isSameAs(closed);
    }
  }

  // ---- helpers

  private record Linked(String awsAccountId, UUID organizationId) {}

  /**
   * A customer linked to a new organization, as the subscription workflow leaves the rows: the
   * link's status, the organization's plan, and the licenses it saved.
   */
  private static Linked linked(String customerIdentifier, String status, String plan,
      LicenseRepository.Entry... licenses) {
    String account = Long.toString(accounts.incrementAndGet());
    UUID organizationId = UUID.randomUUID();
    database.jdbi().useTransaction(h -> {
      h.execute("INSERT INTO organizations (id, name, plan, billing_provider) VALUES (?, ?, ?, ?)",
          organizationId, "Org " + account, plan,
          "STANDARD".equals(plan) ? "AWS_MARKETPLACE" : "NONE");
      h.execute("INSERT INTO marketplace_customers (product_code, aws_account_id,"
          + " customer_identifier) VALUES (?, ?, ?)", PRODUCT, account, customerIdentifier);
      h.execute("INSERT INTO marketplace_links (product_code, aws_account_id, organization_id,"
          + " subscription_status) VALUES (?, ?, ?, ?)", PRODUCT, account, organizationId, status);
    });
    if (licenses.length > 0) {
      new LicenseRepository(database.jdbi()).save(new LicenseRepository.LicenseSet(
          PRODUCT, account, organizationId, List.of(licenses), 1));
    }
    return new Linked(account, organizationId);
  }

  private static OnboardingView connected(Linked linked, SubscriptionStatus status, String plan) {
    return new OnboardingView("onb-" + linked.awsAccountId(), OnboardingStep.DONE,
        OnboardingOutcome.CONNECTED,
        new OnboardingView.Customer(linked.awsAccountId(), null, PRODUCT), null, List.of(),
        new OrganizationRef(linked.organizationId().toString(), "Org " + linked.awsAccountId(),
            plan),
        status == null ? null : new OnboardingView.Subscription(status), "connected");
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
