package io.mpconnect.api.support;

import io.mpconnect.api.db.LazyPool;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.console.ConsoleData;
import io.mpconnect.api.web.BearerTokens;
import io.mpconnect.api.web.Json;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.client.WorkflowClient;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/organizations/{id}} (admin token): support's view of one organization — plan,
 * billing provider, its marketplace link (AWS account, customer identifier, product code), the
 * subscription's status and the customer's licenses. The status comes from the subscription
 * workflow when it answers (the one source of truth), else from the link's last stored status, and
 * says which. {@code licenses} are the rows the workflow last stored in PostgreSQL (what the console
 * and metering read); {@code subscription.licenses} are the workflow's own, live (null when it did
 * not answer), so support sees at once when the two differ.
 *
 * <p>The subscription workflow is the customer's AWS account's ({@code
 * subscription-<productCode>-<awsAccountId>}); while a subscription of the code before licenses,
 * keyed by the legacy CustomerIdentifier, has not handed over yet, that one answers and {@code
 * workflowId} names it.
 */
public final class OrganizationSupportRoutes {
  public static final String PATH = "/admin/organizations/{id}";
  private static final Logger log = LoggerFactory.getLogger(OrganizationSupportRoutes.class);

  private final ConsoleData data;
  private final WorkflowClient client;
  private final String adminToken;

  public OrganizationSupportRoutes(ConsoleData data, WorkflowClient client, String adminToken) {
    this.data = data;
    this.client = client;
    this.adminToken = adminToken;
  }

  public void register(Javalin app) {
    app.get(PATH, this::show);
  }

  private void show(Context ctx) {
    if (!BearerTokens.check(ctx, adminToken, "ADMIN_TOKEN")) {
      return;
    }
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      ctx.status(400).json(Json.message("The organization id must be a UUID."));
      return;
    }
    Optional<OrganizationDetails> details;
    List<MarketplaceLicense> licenses;
    List<io.mpconnect.persistence.EntitlementRepository.Entitlement> entitlements;
    try {
      details = data.details(id);
      if (details.isEmpty()) {
        ctx.status(404).json(Json.message("There is no organization " + id + "."));
        return;
      }
      licenses = data.licenses(details.get());
      entitlements = data.entitlements(details.get());
    } catch (LazyPool.UnavailableException e) {
      ctx.status(503).json(Json.message("The database is unavailable; try again."));
      return;
    }
    Map<String, Object> body = body(details.get(), licenses);
    // Contract listings: per license, dimension, value and expiry (empty on usage listings).
    body.put("entitlements",
        entitlements.stream().map(OrganizationSupportRoutes::entitlement).toList());
    ctx.json(body);
  }

  private Map<String, Object> body(OrganizationDetails details, List<MarketplaceLicense> stored) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", details.organization().id().toString());
    body.put("name", details.organization().name());
    body.put("plan", details.organization().plan().name());
    body.put("billingProvider", details.organization().billingProvider().name());
    body.put("licenses", stored.stream().map(OrganizationSupportRoutes::storedLicense).toList());
    MarketplaceLink link = details.link();
    if (link == null) {
      body.put("marketplaceLink", null);
      body.put("subscription", null);
      return body;
    }
    Map<String, Object> linkBody = new LinkedHashMap<>();
    linkBody.put("productCode", link.productCode());
    linkBody.put("awsAccountId", link.awsAccountId());
    linkBody.put("customerIdentifier", link.customerIdentifier());
    linkBody.put("linkedAt", link.linkedAt() == null ? null : link.linkedAt().toString());
    linkBody.put("linkedByOnboarding", link.linkedByOnboarding());
    body.put("marketplaceLink", linkBody);

    String customerKey = SubscriptionIds.customerKey(link.customerIdentifier(), link.awsAccountId());
    Optional<SubscriptionView> live = liveView(link.productCode(), customerKey);
    String legacyKey =
        SubscriptionIds.legacyCustomerKey(link.customerIdentifier(), link.awsAccountId());
    if (live.isEmpty() && !legacyKey.equals(customerKey)) {
      // Not migrated to the account's workflow yet.
      live = liveView(link.productCode(), legacyKey);
      if (live.isPresent()) {
        customerKey = legacyKey;
      }
    }
    Map<String, Object> subscription = new LinkedHashMap<>();
    subscription.put("workflowId", SubscriptionIds.workflowId(link.productCode(), customerKey));
    if (live.isPresent() && live.get().status() != null) {
      subscription.put("status", live.get().status().name());
      subscription.put("source", "workflow");
      subscription.put("lastAction",
          live.get().lastAction() == null ? null : live.get().lastAction().wireName());
    } else {
      subscription.put("status",
          link.subscriptionStatus() == null ? null : link.subscriptionStatus().name());
      subscription.put("source", "database");
    }
    subscription.put("statusChangedAt",
        link.statusChangedAt() == null ? null : link.statusChangedAt().toString());
    subscription.put("licenses", live.isPresent()
        ? live.get().licenses().stream().map(OrganizationSupportRoutes::liveLicense).toList()
        : null);
    body.put("subscription", subscription);
    return body;
  }

  private static Map<String, Object> storedLicense(MarketplaceLicense l) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", l.key());
    out.put("licenseArn", l.licenseArn());
    out.put("agreementId", l.agreementId());
    out.put("status", l.status().name());
    out.put("usableFrom", text(l.usableFrom()));
    out.put("endedAt", text(l.endedAt()));
    out.put("revokedAt", text(l.revokedAt()));
    out.put("freeTrial", l.freeTrial());
    out.put("offerId", l.offerId());
    out.put("intent", l.intent());
    out.put("endReason", l.endReason());
    out.put("productCode", l.productCode());
    out.put("awsAccountId", l.awsAccountId());
    out.put("sequence", l.sequence());
    out.put("updatedAt", text(l.updatedAt()));
    return out;
  }

  private static Map<String, Object> entitlement(
      io.mpconnect.persistence.EntitlementRepository.Entitlement e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("productCode", e.productCode());
    out.put("awsAccountId", e.awsAccountId());
    out.put("licenseArn", e.licenseArn());
    out.put("dimension", e.dimension());
    out.put("valueType", e.valueType());
    out.put("value", e.value());
    out.put("expiresAt", text(e.expiresAt()));
    out.put("readAt", text(e.readAt()));
    return out;
  }

  private static Map<String, Object> liveLicense(License l) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", l.key());
    out.put("licenseArn", l.licenseArn());
    out.put("agreementId", l.agreementId());
    out.put("status", l.status() == null ? null : l.status().name());
    out.put("usableFrom", text(l.usableFrom()));
    out.put("endedAt", text(l.endedAt()));
    out.put("revokedAt", text(l.revokedAt()));
    out.put("freeTrial", l.freeTrial());
    out.put("offerId", l.offerId());
    out.put("intent", l.intent());
    out.put("endReason", l.endReason());
    out.put("lastEventAt", text(l.lastEventAt()));
    return out;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private Optional<SubscriptionView> liveView(String productCode, String customerKey) {
    try {
      // A query needs no task queue.
      return new SubscriptionSignals(client, "unused").view(productCode, customerKey);
    } catch (RuntimeException e) {
      log.warn("subscription {} did not answer: {}",
          SubscriptionIds.workflowId(productCode, customerKey), e.getClass().getSimpleName());
      return Optional.empty();
    }
  }
}
