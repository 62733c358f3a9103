package io.mpconnect.api.marketplace;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.config.EventTrustSettings;
import io.mpconnect.config.SnsSignatures;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.subscription.LifecycleEventParser;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Accepted;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Authenticity;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Listing;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Rejected;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/marketplace/events}: support (and the developer mode) inject an AWS
 * Marketplace lifecycle event by hand. The body is what the queue would carry: an SNS
 * notification, a legacy message ({@code action}, {@code customer-identifier}, {@code
 * product-code}) or an EventBridge event (AWS's current model: {@code source} {@code
 * aws.agreement-marketplace}, Purchase Agreement Created / Amended / Ended, License Updated /
 * Deprovisioned). Same parser, configured the same way (MARKETPLACE_PRODUCT_CODE,
 * MARKETPLACE_PRODUCT_ID, MARKETPLACE_SELLER_ACCOUNT_ID, MARKETPLACE_SNS_TOPIC_ARNS,
 * MARKETPLACE_ACCEPT_UNSIGNED_EVENTS), and same signal-with-start as the worker's queue consumer.
 *
 * <p>The admin token alone cannot change a plan: what is posted must be AWS's own, a signed SNS
 * notification of an allowed topic (e.g. a parked body). A bare legacy message or an EventBridge
 * event carries no signature (EventBridge events are AWS's only as the queue delivers them), so it
 * is refused with UNSIGNED unless MARKETPLACE_ACCEPT_UNSIGNED_EVENTS is on (the developer mode).
 *
 * <p>Answers 202 when Temporal accepted the signal, 400 with the reason when the body cannot be
 * applied (nothing is parked: the caller holds the body), 401 without a bearer token, 403 with a
 * wrong one (compared in constant time) or when ADMIN_TOKEN is unset, 503 when Temporal (or SNS's
 * signing certificate) is away.
 */
public final class MarketplaceEventRoutes {
  public static final String PATH = "/admin/marketplace/events";
  private static final Logger log = LoggerFactory.getLogger(MarketplaceEventRoutes.class);

  private final SubscriptionSignals signals;
  private final byte[] adminTokenHash;
  private final LifecycleEventParser parser;

  public MarketplaceEventRoutes(WorkflowClient client, ApiSettings settings) {
    this(client, settings.temporal().taskQueue(), settings.adminToken(),
        settings.productCode() == null ? null : Listing.of(settings.productCode(),
            settings.productId(), settings.sellerAccountId()),
        settings.eventTrust() == null ? null : authenticity(settings.eventTrust()));
  }

  /** Only the product code: agreement events are refused (NOT_CONFIGURED), as on the worker. */
  MarketplaceEventRoutes(WorkflowClient client, String taskQueue, String adminToken,
      String productCode, Authenticity authenticity) {
    this(client, taskQueue, adminToken, productCode == null ? null : Listing.of(productCode,
        null, null), authenticity);
  }

  /**
   * @param listing what events must match, or null when MARKETPLACE_PRODUCT_CODE is unset
   * @param authenticity which bodies are AWS's (null with the listing)
   */
  MarketplaceEventRoutes(WorkflowClient client, String taskQueue, String adminToken,
      Listing listing, Authenticity authenticity) {
    this.signals = new SubscriptionSignals(client, taskQueue);
    this.adminTokenHash = adminToken == null ? null : sha256(adminToken);
    this.parser = listing == null ? null : new LifecycleEventParser(listing, authenticity);
  }

  /** The api's signature check lives as long as the process: it is never closed. */
  private static Authenticity authenticity(EventTrustSettings trust) {
    trust.warnings().forEach(log::warn);
    SnsSignatures signatures = SnsSignatures.create(trust);
    return Authenticity.of(trust.acceptUnsigned(), trust.snsTopicArns(), signatures::problem);
  }

  public void register(Javalin app) {
    app.post(PATH, this::inject);
  }

  private void inject(Context ctx) {
    if (!authorized(ctx)) {
      return;
    }
    if (parser == null) {
      reply(ctx, 503, "MARKETPLACE_PRODUCT_CODE is not set on the api, so events cannot be"
          + " checked; set it as on the worker.", null);
      return;
    }
    String body;
    try {
      body =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(ctx.bodyAsBytes()))
              .toString();
    } catch (CharacterCodingException e) {
      reply(ctx, 400, "The body is not valid UTF-8 text.", "MALFORMED");
      return;
    }
    LifecycleEventParser.Result result;
    try {
      result = parser.parse(body, LifecycleEventParser.Context.admin());
    } catch (SnsSignatures.CertificateUnavailable e) {
      log.warn("admin event not checked: {}", e.getMessage());
      reply(ctx, 503, "The SNS signing certificate could not be fetched, so the signature could"
          + " not be checked; nothing changed. Try again.", null);
      return;
    }
    if (result instanceof Rejected rejected) {
      log.info("admin event refused: {} ({})", rejected.reason(), rejected.detail());
      reply(ctx, 400, rejected.detail(), rejected.reason().name());
      return;
    }
    LifecycleEvent event = ((Accepted) result).event();
    WorkflowExecution execution;
    try {
      execution = signals.deliver(event);
    } catch (WorkflowException e) {
      log.warn("admin event not delivered: Temporal refused or is away ({})",
          e.getClass().getSimpleName());
      reply(ctx, 503, "Temporal did not accept the event; nothing changed. Try again.", null);
      return;
    }
    log.info("admin injected {} for subscription {}", event.action().wireName(),
        execution.getWorkflowId());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("status", "accepted");
    answer.put("action", event.action().wireName());
    answer.put("productCode", event.productCode());
    answer.put("customerKey", event.customerKey());
    answer.put("workflowId", execution.getWorkflowId());
    answer.put("runId", execution.getRunId());
    answer.put("message", "The subscription workflow accepted the event; it applies it in order.");
    ctx.status(202).json(answer);
  }

  private boolean authorized(Context ctx) {
    if (adminTokenHash == null) {
      reply(ctx, 403, "Admin endpoints are disabled: ADMIN_TOKEN is not set.", null);
      return false;
    }
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.header("WWW-Authenticate", "Bearer");
      reply(ctx, 401, "Send the admin token as \"Authorization: Bearer <token>\".", null);
      return false;
    }
    // Hashes have one length, so the comparison takes the same time whatever was sent.
    if (!MessageDigest.isEqual(sha256(header.substring(7).strip()), adminTokenHash)) {
      reply(ctx, 403, "The admin token is not valid.", null);
      return false;
    }
    return true;
  }

  private static void reply(Context ctx, int status, String message, String reason) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", message);
    if (reason != null) {
      body.put("reason", reason);
    }
    ctx.status(status).json(body);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
