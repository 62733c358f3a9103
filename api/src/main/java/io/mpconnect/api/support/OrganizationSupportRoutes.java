package io.mpconnect.api.support;

import io.mpconnect.api.db.LazyPool;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.console.ConsoleData;
import io.mpconnect.api.web.BearerTokens;
import io.mpconnect.api.web.Json;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.client.WorkflowClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/organizations/{id}} (admin token): support's view of one organization — plan,
 * billing provider, its marketplace link (AWS account, customer identifier, product code) and
 * the subscription's status. The status comes from the subscription workflow when it answers
 * (the one source of truth), else from the link's last stored status, and says which.
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
    try {
      details = data.details(id);
    } catch (LazyPool.UnavailableException e) {
      ctx.status(503).json(Json.message("The database is unavailable; try again."));
      return;
    }
    if (details.isEmpty()) {
      ctx.status(404).json(Json.message("There is no organization " + id + "."));
      return;
    }
    ctx.json(body(details.get()));
  }

  private Map<String, Object> body(OrganizationDetails details) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", details.organization().id().toString());
    body.put("name", details.organization().name());
    body.put("plan", details.organization().plan().name());
    body.put("billingProvider", details.organization().billingProvider().name());
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
    Map<String, Object> subscription = new LinkedHashMap<>();
    subscription.put("workflowId", SubscriptionIds.workflowId(link.productCode(), customerKey));
    Optional<SubscriptionView> live = liveView(link.productCode(), customerKey);
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
    body.put("subscription", subscription);
    return body;
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
