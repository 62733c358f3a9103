package io.mpconnect.workflows.subscription;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns what the lifecycle queue (or support, by hand) delivers into a {@link LifecycleEvent}, or
 * says precisely why it cannot: the caller parks what is rejected, it never retries it.
 *
 * <p>Accepted shapes:
 *
 * <ul>
 *   <li>an SNS notification as SQS receives it from a subscribed topic ({@code
 *       {"Type":"Notification","MessageId":...,"Timestamp":...,"Message":"{\"action\":...}"}});
 *   <li>the legacy message itself (raw message delivery, or injected by hand): {@code action},
 *       {@code customer-identifier}, {@code product-code}, {@code offer-identifier}, {@code
 *       isFreeTrialTermPresent} (a string);
 *   <li>an EventBridge event ({@code detail-type}, {@code detail}) with a legacy-shaped detail
 *       (with {@code action}), read as above;
 *   <li>an EventBridge event of AWS's current model (Concurrent Agreements), {@code source}
 *       {@code aws.agreement-marketplace}, in the shape of AWS's seller guide ("Amazon EventBridge
 *       events", sections "Events for agreements" and "Events for licenses"):
 *       <ul>
 *         <li>{@code Purchase Agreement Created - Proposer|Manufacturer} ({@code
 *             detail.agreement.intent} NEW, RENEW or REPLACE): {@link
 *             LifecycleAction#AGREEMENT_CREATED};
 *         <li>{@code Purchase Agreement Amended - Proposer|Manufacturer}: {@link
 *             LifecycleAction#AGREEMENT_AMENDED};
 *         <li>{@code Purchase Agreement Ended - Proposer|Manufacturer} ({@code
 *             detail.agreement.status} CANCELLED, EXPIRED, TERMINATED, RENEWED or REPLACED):
 *             {@link LifecycleAction#AGREEMENT_ENDED};
 *         <li>{@code License Updated - Manufacturer}: {@link LifecycleAction#LICENSE_UPDATED};
 *         <li>{@code License Deprovisioned - Manufacturer}: {@link
 *             LifecycleAction#LICENSE_DEPROVISIONED}.
 *       </ul>
 *       The license events name the product by {@code detail.product.code} and carry {@code
 *       detail.license.arn}. AWS's purchase agreement events carry no product code and at most
 *       {@code detail.product.id} (the listing's {@code prod-...} catalog id; AWS's own samples of
 *       Created with intent NEW and of Ended carry no product at all): they are matched to the
 *       listing by its configured product id ({@link Listing#productIdToCode}); one that names no
 *       product id is the listing's when exactly one listing is configured. The envelope's {@code
 *       source} must be {@code aws.agreement-marketplace} and its {@code account} the configured
 *       seller account. The envelope {@code id} (unique per event) is the message id: {@code
 *       detail.requestId} is shared by the several events of one AWS request, so it is not used.
 * </ul>
 *
 * <p>Only AWS's own messages are applied ({@link Authenticity}): an SNS notification must carry a
 * signature that verifies and come from an allowed topic; an EventBridge event of the current model
 * is AWS's when it came through the queue (only the seller's EventBridge rule may send to it, by the
 * queue's policy) with the right {@code source} and {@code account}. Anything unsigned (a bare
 * legacy message, an SNS envelope without a signature, an EventBridge event with a legacy {@code
 * detail}, an event posted to the admin route) is applied only when unsigned messages are
 * explicitly accepted. An event that says it happens more than {@link #MAX_FUTURE} from now is
 * refused: its time would outrank every real event for the license.
 *
 * <p>Thread-safe.
 */
public final class LifecycleEventParser {
  /** How far in the future an event's time may be (clock skew), before it is refused. */
  public static final Duration MAX_FUTURE = Duration.ofMinutes(5);

  /** SQS's own limit on a message body. */
  public static final int MAX_BODY_CHARS = 256 * 1024;

  /** The EventBridge source of AWS Marketplace's agreement and license events. */
  public static final String AGREEMENT_SOURCE = "aws.agreement-marketplace";

  /** Intents of Purchase Agreement Created that the product applies. */
  public static final Set<String> CREATED_INTENTS = Set.of("NEW", "RENEW", "REPLACE");

  /** Statuses of Purchase Agreement Ended that the product applies. */
  public static final Set<String> ENDED_STATUSES =
      Set.of("CANCELLED", "EXPIRED", "TERMINATED", "RENEWED", "REPLACED");

  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The current model's detail-types the product applies, by their exact name. */
  private static final Map<String, LifecycleAction> DETAIL_TYPES =
      Map.of(
          "Purchase Agreement Created - Proposer", LifecycleAction.AGREEMENT_CREATED,
          "Purchase Agreement Created - Manufacturer", LifecycleAction.AGREEMENT_CREATED,
          "Purchase Agreement Amended - Proposer", LifecycleAction.AGREEMENT_AMENDED,
          "Purchase Agreement Amended - Manufacturer", LifecycleAction.AGREEMENT_AMENDED,
          "Purchase Agreement Ended - Proposer", LifecycleAction.AGREEMENT_ENDED,
          "Purchase Agreement Ended - Manufacturer", LifecycleAction.AGREEMENT_ENDED,
          "License Updated - Manufacturer", LifecycleAction.LICENSE_UPDATED,
          "License Deprovisioned - Manufacturer", LifecycleAction.LICENSE_DEPROVISIONED);

  /** Why a message cannot be applied; the parked row and the metric carry it. */
  public enum Reason {
    /** Larger than {@link #MAX_BODY_CHARS}. */
    OVERSIZED,
    /**
     * Not JSON, not text, not one of the accepted shapes, a field of the wrong shape, or a
     * required field missing (e.g. a license event with no LicenseArn, a malformed {@code time}).
     */
    MALFORMED,
    /** A product code, or a listing's product id, that is not this vendor's. */
    UNKNOWN_PRODUCT,
    /** An {@code action} that is not a lifecycle action. */
    UNKNOWN_ACTION,
    /**
     * A well-formed AWS message the product does not apply automatically (e.g. an SNS
     * subscription confirmation, an agreement intent or status it does not know).
     */
    UNSUPPORTED_EVENT,
    /** An EventBridge event for another seller's account than {@link Listing#sellerAccountId}. */
    FOREIGN_ACCOUNT,
    /** An EventBridge event whose {@code source} is not {@value #AGREEMENT_SOURCE}. */
    FOREIGN_SOURCE,
    /**
     * An agreement event that cannot be matched because MARKETPLACE_PRODUCT_ID is not configured:
     * set it, then re-inject the parked body.
     */
    NOT_CONFIGURED,
    /** Temporal refused to accept it for good (set by the consumer, not the parser). */
    DELIVERY_FAILED,
    /** No AWS signature, while unsigned messages are not accepted (MARKETPLACE_ACCEPT_UNSIGNED_EVENTS). */
    UNSIGNED,
    /** An SNS signature that does not verify (forged, altered, or a certificate not SNS's). */
    BAD_SIGNATURE,
    /** A signed SNS notification of a topic that is not allowed (MARKETPLACE_SNS_TOPIC_ARNS). */
    FOREIGN_TOPIC,
    /** An event time more than {@link #MAX_FUTURE} ahead of now. */
    FUTURE_TIME
  }

  /**
   * Checks an SNS message's signature.
   *
   * <p>Returns null when SNS signed the envelope, else why not; throws an unchecked exception when
   * it cannot tell now (the certificate could not be fetched): the caller retries later.
   */
  @FunctionalInterface
  public interface SignatureCheck {
    String problem(String envelope);
  }

  /**
   * Which messages are believed to be AWS's.
   *
   * @param acceptUnsigned whether messages without an AWS signature are applied
   *     (MARKETPLACE_ACCEPT_UNSIGNED_EVENTS; the developer mode)
   * @param snsTopicArns the topics whose signed notifications are applied
   * @param signatures the SNS signature check, or null when signed notifications cannot be checked
   *     (then they are refused)
   * @param clock what "now" is for {@link #MAX_FUTURE}
   */
  public record Authenticity(
      boolean acceptUnsigned, Set<String> snsTopicArns, SignatureCheck signatures, Clock clock) {
    public Authenticity {
      snsTopicArns = snsTopicArns == null ? Set.of() : Set.copyOf(snsTopicArns);
      if (clock == null) {
        throw new IllegalArgumentException("the parser needs a clock");
      }
    }

    /** Production: signed notifications of these topics, unsigned ones only when told. */
    public static Authenticity of(
        boolean acceptUnsigned, Set<String> snsTopicArns, SignatureCheck signatures) {
      return new Authenticity(acceptUnsigned, snsTopicArns, signatures, Clock.systemUTC());
    }

    /** Tests of the shapes: unsigned messages accepted, signed ones cannot be checked. */
    public static Authenticity unsignedAccepted() {
      return new Authenticity(true, Set.of(), null, Clock.systemUTC());
    }
  }

  /**
   * What the parser matches events against: the vendor's listing(s).
   *
   * @param productCodes this vendor's product codes (MARKETPLACE_PRODUCT_CODE); legacy messages and
   *     license events of any other product are rejected
   * @param productIdToCode the listing's catalog product id ({@code prod-...},
   *     MARKETPLACE_PRODUCT_ID) to its product code, to match purchase agreement events (which name
   *     no product code); empty when not configured, and then agreement events are refused
   * @param sellerAccountId the seller's AWS account id (MARKETPLACE_SELLER_ACCOUNT_ID) that
   *     EventBridge events must name as their {@code account}, or null to not check it
   */
  public record Listing(
      Set<String> productCodes, Map<String, String> productIdToCode, String sellerAccountId) {
    public Listing {
      if (productCodes == null || productCodes.isEmpty()) {
        throw new IllegalArgumentException("the parser needs the vendor's product code(s)");
      }
      productCodes = Set.copyOf(productCodes);
      productIdToCode = productIdToCode == null ? Map.of() : Map.copyOf(productIdToCode);
      for (Map.Entry<String, String> entry : productIdToCode.entrySet()) {
        if (!SubscriptionIds.isSafe(entry.getKey())) {
          throw new IllegalArgumentException("not a product id: " + entry.getKey());
        }
        if (!productCodes.contains(entry.getValue())) {
          throw new IllegalArgumentException(
              "the product id " + entry.getKey() + " maps to " + entry.getValue()
                  + ", which is not one of the product codes " + productCodes);
        }
      }
      if (sellerAccountId != null && sellerAccountId.isBlank()) {
        sellerAccountId = null;
      }
      if (sellerAccountId != null) {
        sellerAccountId = sellerAccountId.strip();
        if (!ACCOUNT_ID.matcher(sellerAccountId).matches()) {
          throw new IllegalArgumentException(
              "the seller account id must be a 12-digit AWS account id, got " + sellerAccountId);
        }
      }
    }

    /** Only product codes: legacy messages and license events; agreement events are refused. */
    public Listing(Set<String> productCodes) {
      this(productCodes, Map.of(), null);
    }

    /**
     * One listing.
     *
     * @param productId its {@code prod-...} id, or null when not configured
     * @param sellerAccountId or null to not check the events' account
     */
    public static Listing of(String productCode, String productId, String sellerAccountId) {
      if (productCode == null || productCode.isBlank()) {
        throw new IllegalArgumentException("the parser needs the vendor's product code");
      }
      String code = productCode.strip();
      Map<String, String> ids =
          productId == null || productId.isBlank() ? Map.of() : Map.of(productId.strip(), code);
      return new Listing(Set.of(code), ids, sellerAccountId);
    }
  }

  /** Where a body came from. */
  public record Context(String source, String transportMessageId, Instant sentAt) {
    public static final String QUEUE = "sqs";

    public static Context admin() {
      return new Context("admin", null, null);
    }

    /** Came through the lifecycle queue, whose policy admits only AWS's topic and rule. */
    public boolean viaQueue() {
      return QUEUE.equals(source);
    }
  }

  /** The parse's answer. */
  public sealed interface Result permits Accepted, Rejected {}

  public record Accepted(LifecycleEvent event) implements Result {}

  /**
   * @param productCode the product code the message names, when it names one
   * @param customerKey the customer it names, when it names one
   */
  public record Rejected(Reason reason, String detail, String productCode, String customerKey)
      implements Result {
    static Rejected of(Reason reason, String detail) {
      return new Rejected(reason, detail, null, null);
    }
  }

  private final Listing listing;
  private final Authenticity authenticity;

  /**
   * For tests of the shapes: unsigned messages accepted ({@link Authenticity#unsignedAccepted}).
   *
   * @param productCodes this vendor's product codes; events of any other product are rejected
   */
  public LifecycleEventParser(Set<String> productCodes) {
    this(new Listing(productCodes), Authenticity.unsignedAccepted());
  }

  /** For tests of the shapes: unsigned messages accepted. */
  public LifecycleEventParser(Listing listing) {
    this(listing, Authenticity.unsignedAccepted());
  }

  public LifecycleEventParser(Listing listing, Authenticity authenticity) {
    if (listing == null) {
      throw new IllegalArgumentException("the parser needs the vendor's listing");
    }
    if (authenticity == null) {
      throw new IllegalArgumentException("the parser needs to know which messages are AWS's");
    }
    this.listing = listing;
    this.authenticity = authenticity;
  }

  public Listing listing() {
    return listing;
  }

  /**
   * @throws RuntimeException when the SNS signature cannot be checked now ({@link SignatureCheck}):
   *     nothing is decided, the caller tries again later
   */
  public Result parse(String body, Context context) {
    Result result = parseBody(body, context);
    if (result instanceof Accepted accepted) {
      Instant occurredAt = accepted.event().occurredAt();
      Instant latest = authenticity.clock().instant().plus(MAX_FUTURE);
      if (occurredAt != null && occurredAt.isAfter(latest)) {
        return new Rejected(
            Reason.FUTURE_TIME,
            "The event says it happens at " + occurredAt + ", more than " + MAX_FUTURE.toMinutes()
                + " minutes from now: AWS's events are never from the future, and such a time would"
                + " outrank every later real event.",
            accepted.event().productCode(),
            accepted.event().customerKey());
      }
    }
    return result;
  }

  private Result parseBody(String body, Context context) {
    if (body == null || body.isBlank()) {
      return Rejected.of(Reason.MALFORMED, "The message body is empty.");
    }
    if (body.length() > MAX_BODY_CHARS) {
      return Rejected.of(
          Reason.OVERSIZED,
          "The message body has " + body.length() + " characters; at most " + MAX_BODY_CHARS
              + " are accepted.");
    }
    String problem = encodingProblem(body);
    if (problem != null) {
      return Rejected.of(Reason.MALFORMED, problem);
    }
    JsonNode root = readObject(strip(body));
    if (root == null) {
      return Rejected.of(Reason.MALFORMED, "The message body is not a JSON object.");
    }
    if (root.has("Type")) {
      return sns(root, body, context);
    }
    if (root.has("detail-type") || root.has("detail")) {
      // Only an agreement event that came through the queue is AWS's; a legacy detail was
      // wrapped by someone, and the admin route is not AWS.
      boolean legacyDetail = root.path("detail").has("action");
      if (legacyDetail || !context.viaQueue()) {
        Rejected unsigned = unsigned(legacyDetail
            ? "An EventBridge event with a legacy \"action\" detail is not AWS's own event."
            : "An EventBridge event that did not come through the lifecycle queue.");
        if (unsigned != null) {
          return unsigned;
        }
      }
      return eventBridge(root, context);
    }
    if (root.has("action")) {
      Rejected unsigned = unsigned("A bare lifecycle message, without the SNS envelope and its"
          + " signature.");
      if (unsigned != null) {
        return unsigned;
      }
      return legacy(root, context, context.transportMessageId(), context.sentAt());
    }
    return Rejected.of(
        Reason.MALFORMED,
        "The JSON object is neither an SNS notification, a lifecycle message (no \"action\") nor"
            + " an EventBridge event (no \"detail-type\").");
  }

  /** Refuses an unsigned message unless unsigned messages are accepted; null when accepted. */
  private Rejected unsigned(String what) {
    if (authenticity.acceptUnsigned()) {
      return null;
    }
    return Rejected.of(
        Reason.UNSIGNED,
        what + " It carries no AWS signature, and unsigned messages are not accepted"
            + " (MARKETPLACE_ACCEPT_UNSIGNED_EVENTS is off): AWS's SNS notifications arrive in"
            + " their signed envelope (raw message delivery off), its EventBridge events through"
            + " the queue.");
  }

  /** Null when the notification is signed by SNS for an allowed topic, or is unsigned and accepted. */
  private Rejected snsAuthenticity(JsonNode envelope, String body) {
    boolean signed =
        envelope.has("Signature") || envelope.has("SigningCertURL")
            || envelope.has("SignatureVersion");
    if (!signed) {
      return unsigned("An SNS notification without a signature.");
    }
    String topic = text(envelope, "TopicArn");
    if (topic == null || !authenticity.snsTopicArns().contains(topic)) {
      return Rejected.of(
          Reason.FOREIGN_TOPIC,
          "The SNS notification comes from the topic "
              + (topic == null ? "(none)" : shorten(topic)) + ", which is not one of "
              + String.join(", ", new TreeSet<>(authenticity.snsTopicArns()))
              + " (MARKETPLACE_SNS_TOPIC_ARNS).");
    }
    if (authenticity.signatures() == null) {
      return Rejected.of(
          Reason.BAD_SIGNATURE, "SNS signatures cannot be checked here, so none is believed.");
    }
    String problem = authenticity.signatures().problem(strip(body));
    return problem == null ? null : Rejected.of(Reason.BAD_SIGNATURE, shorten(problem));
  }

  private Result sns(JsonNode envelope, String body, Context context) {
    String type = text(envelope, "Type");
    if (type == null) {
      return Rejected.of(Reason.MALFORMED, "The SNS envelope's \"Type\" is not a string.");
    }
    if (!"Notification".equals(type)) {
      return Rejected.of(
          Reason.UNSUPPORTED_EVENT,
          "An SNS " + shorten(type) + " message, not a notification"
              + ("SubscriptionConfirmation".equals(type)
                  ? ": confirm the queue's subscription to the topic by opening its SubscribeURL."
                  : "."));
    }
    Rejected notAws = snsAuthenticity(envelope, body);
    if (notAws != null) {
      return notAws;
    }
    String inner = text(envelope, "Message");
    if (inner == null) {
      return Rejected.of(Reason.MALFORMED, "The SNS notification has no \"Message\" string.");
    }
    String problem = encodingProblem(inner);
    if (problem != null) {
      return Rejected.of(Reason.MALFORMED, "The SNS notification's message: " + problem);
    }
    JsonNode message = readObject(strip(inner));
    if (message == null) {
      return Rejected.of(
          Reason.MALFORMED, "The SNS notification's \"Message\" is not a JSON object.");
    }
    String messageId = firstNonNull(text(envelope, "MessageId"), context.transportMessageId());
    Instant sentAt = firstNonNull(instant(text(envelope, "Timestamp")), context.sentAt());
    if (message.has("detail-type")) {
      return eventBridge(message, context);
    }
    return legacy(message, context, messageId, sentAt);
  }

  private Result legacy(JsonNode message, Context context, String messageId, Instant sentAt) {
    String actionName = text(message, "action");
    String productCode = text(message, "product-code");
    String customerIdentifier = text(message, "customer-identifier");
    String awsAccountId = text(message, "customer-aws-account-id");
    if (actionName == null) {
      return Rejected.of(Reason.MALFORMED, "\"action\" is missing or not a string.");
    }
    if (productCode == null) {
      return Rejected.of(Reason.MALFORMED, "\"product-code\" is missing or not a string.");
    }
    String customerKey = null;
    if (customerIdentifier != null || awsAccountId != null) {
      customerKey = SubscriptionIds.customerKey(customerIdentifier, awsAccountId);
    }
    if (!SubscriptionIds.isSafe(productCode)) {
      return Rejected.of(Reason.MALFORMED, "\"product-code\" is not a product code.");
    }
    if (!listing.productCodes().contains(productCode)) {
      return new Rejected(
          Reason.UNKNOWN_PRODUCT,
          "The product code " + productCode + " is not this vendor's (" + codes() + ").",
          productCode,
          safeOrNull(customerKey));
    }
    LifecycleAction action = LifecycleAction.fromWireName(actionName);
    if (action == null) {
      // entitlement-updated (contract listings) is one of the legacy actions now.
      return new Rejected(
          Reason.UNKNOWN_ACTION,
          "Unknown action \"" + shorten(actionName) + "\"; expected subscribe-success,"
              + " subscribe-fail, unsubscribe-pending, unsubscribe-success or entitlement-updated.",
          productCode,
          safeOrNull(customerKey));
    }
    if (customerKey == null) {
      return new Rejected(
          Reason.MALFORMED,
          "The message names no customer (\"customer-identifier\").",
          productCode,
          null);
    }
    if (customerIdentifier != null && !SubscriptionIds.isSafe(customerIdentifier)) {
      return new Rejected(
          Reason.MALFORMED, "\"customer-identifier\" is not a customer identifier.", productCode,
          null);
    }
    if (awsAccountId != null && !ACCOUNT_ID.matcher(awsAccountId).matches()) {
      return new Rejected(
          Reason.MALFORMED, "\"customer-aws-account-id\" is not a 12-digit AWS account id.",
          productCode, safeOrNull(customerIdentifier));
    }
    String offer = text(message, "offer-identifier");
    return new Accepted(
        new LifecycleEvent(
            action,
            productCode,
            customerKey,
            customerIdentifier,
            awsAccountId,
            messageId == null ? null : shorten(messageId),
            sentAt,
            context.source(),
            offer == null || !SubscriptionIds.isSafe(offer) ? null : offer,
            flag(message.get("isFreeTrialTermPresent"))));
  }

  private Result eventBridge(JsonNode event, Context context) {
    String detailType = text(event, "detail-type");
    JsonNode detail = event.get("detail");
    if (detailType == null || detail == null || !detail.isObject()) {
      return Rejected.of(
          Reason.MALFORMED,
          "The EventBridge event needs a \"detail-type\" string and a \"detail\" object.");
    }
    // The envelope id is unique per event; detail.requestId is shared by the events of one
    // request (e.g. Purchase Agreement Created and License Updated), so it must not be the id.
    String messageId = firstNonNull(text(event, "id"), context.transportMessageId());
    if (detail.has("action")) {
      Instant sentAt = firstNonNull(instant(text(event, "time")), context.sentAt());
      return legacy(detail, context, messageId, sentAt);
    }
    return agreementMarketplace(event, detailType, detail, context, messageId);
  }

  /** An event of AWS's current model (Concurrent Agreements). */
  private Result agreementMarketplace(
      JsonNode event, String detailType, JsonNode detail, Context context, String messageId) {
    String account = accountOf(detail);
    String source = text(event, "source");
    if (source == null) {
      return new Rejected(
          Reason.MALFORMED,
          "The EventBridge event \"" + shorten(detailType) + "\" names no \"source\"; AWS"
              + " Marketplace's agreement and license events come from " + AGREEMENT_SOURCE + ".",
          null, account);
    }
    if (!AGREEMENT_SOURCE.equals(source)) {
      return new Rejected(
          Reason.FOREIGN_SOURCE,
          "The EventBridge event \"" + shorten(detailType) + "\" comes from \"" + shorten(source)
              + "\", not " + AGREEMENT_SOURCE + ": it is not an AWS Marketplace agreement or"
              + " license event.",
          null, account);
    }
    String seller = listing.sellerAccountId();
    if (seller != null) {
      String eventAccount = text(event, "account");
      if (eventAccount == null) {
        return new Rejected(
            Reason.MALFORMED,
            "The EventBridge event names no \"account\"; AWS sends it to the seller account "
                + seller + ".",
            null, account);
      }
      if (!seller.equals(eventAccount)) {
        return new Rejected(
            Reason.FOREIGN_ACCOUNT,
            "The EventBridge event was sent to the account " + shorten(eventAccount)
                + ", not to this seller's account " + seller
                + " (MARKETPLACE_SELLER_ACCOUNT_ID).",
            null, account);
      }
    }
    LifecycleAction action = DETAIL_TYPES.get(detailType);
    if (action == null) {
      return new Rejected(
          Reason.UNSUPPORTED_EVENT,
          "The EventBridge event \"" + shorten(detailType) + "\" is not applied automatically;"
              + " applied are Purchase Agreement Created, Amended and Ended (- Proposer or"
              + " - Manufacturer), License Updated - Manufacturer and License Deprovisioned -"
              + " Manufacturer.",
          productCodeOf(detail), account);
    }
    JsonNode time = event.get("time");
    Instant occurredAt = context.sentAt();
    if (time != null && !time.isNull()) {
      occurredAt = time.isTextual() ? instant(time.asText().strip()) : null;
      if (occurredAt == null) {
        return new Rejected(
            Reason.MALFORMED,
            "The EventBridge event's \"time\" is not an ISO-8601 instant (e.g."
                + " 2024-08-30T21:36:03Z).",
            productCodeOf(detail), account);
      }
    }
    boolean license =
        action == LifecycleAction.LICENSE_UPDATED || action == LifecycleAction.LICENSE_DEPROVISIONED;
    String productCode;
    if (license) {
      String code = text(detail.path("product"), "code");
      if (code == null || !SubscriptionIds.isSafe(code)) {
        return new Rejected(
            Reason.MALFORMED,
            "\"" + detailType + "\" names no product code (detail.product.code).", null, account);
      }
      if (!listing.productCodes().contains(code)) {
        return new Rejected(
            Reason.UNKNOWN_PRODUCT,
            "The product code " + code + " is not this vendor's (" + codes() + ").", code,
            account);
      }
      productCode = code;
    } else {
      Result unmatched = null;
      productCode = null;
      String productId = text(detail.path("product"), "id");
      Map<String, String> ids = listing.productIdToCode();
      if (ids.isEmpty()) {
        unmatched = new Rejected(
            Reason.NOT_CONFIGURED,
            "MARKETPLACE_PRODUCT_ID is not set, so \"" + detailType + "\" cannot be matched to"
                + " the listing (AWS's purchase agreement events carry no product code). Set it to"
                + " the listing's product id (prod-...) and re-inject the event.",
            null, account);
      } else if (productId != null) {
        productCode = ids.get(productId);
        if (productCode == null) {
          unmatched = new Rejected(
              Reason.UNKNOWN_PRODUCT,
              "The product id " + shorten(productId) + " is not this vendor's listing ("
                  + String.join(", ", new TreeMap<>(ids).keySet()) + ", MARKETPLACE_PRODUCT_ID).",
              null, account);
        }
      } else if (ids.size() == 1) {
        // AWS's samples of Created (intent NEW) and Ended carry no product: the event came from
        // aws.agreement-marketplace to the seller's account, which has this one listing here.
        productCode = ids.values().iterator().next();
      } else {
        unmatched = new Rejected(
            Reason.UNKNOWN_PRODUCT,
            "\"" + detailType + "\" names no product id (detail.product.id) and several listings"
                + " are configured, so it cannot be matched to one.",
            null, account);
      }
      if (unmatched != null) {
        return unmatched;
      }
    }
    if (account == null) {
      return new Rejected(
          Reason.MALFORMED,
          "\"" + detailType + "\" names no acceptor AWS account id (detail.acceptor.accountId, 12"
              + " digits).",
          productCode, null);
    }
    String agreementId = text(detail.path("agreement"), "id");
    if (agreementId == null || !SubscriptionIds.isSafe(agreementId)) {
      return new Rejected(
          Reason.MALFORMED,
          "\"" + detailType + "\" names no agreement id (detail.agreement.id).", productCode,
          account);
    }
    String licenseArn = null;
    if (license) {
      licenseArn = text(detail.path("license"), "arn");
      if (licenseArn == null) {
        return new Rejected(
            Reason.MALFORMED,
            "\"" + detailType + "\" has no LicenseArn (detail.license.arn).", productCode,
            account);
      }
      if (!SubscriptionIds.isSafe(licenseArn)) {
        return new Rejected(
            Reason.MALFORMED,
            "\"" + detailType + "\" has a LicenseArn (detail.license.arn) that is not an ARN.",
            productCode, account);
      }
    }
    String agreementDetail = null;
    if (action == LifecycleAction.AGREEMENT_CREATED) {
      String intent = text(detail.path("agreement"), "intent");
      if (intent == null) {
        return new Rejected(
            Reason.MALFORMED,
            "\"" + detailType + "\" has no agreement intent (detail.agreement.intent).",
            productCode, account);
      }
      agreementDetail = intent.toUpperCase(Locale.ROOT);
      if (!CREATED_INTENTS.contains(agreementDetail)) {
        return new Rejected(
            Reason.UNSUPPORTED_EVENT,
            "Unknown agreement intent \"" + shorten(intent) + "\"; expected NEW, RENEW or"
                + " REPLACE.",
            productCode, account);
      }
    } else if (action == LifecycleAction.AGREEMENT_ENDED) {
      String status = text(detail.path("agreement"), "status");
      if (status == null) {
        return new Rejected(
            Reason.MALFORMED,
            "\"" + detailType + "\" has no agreement status (detail.agreement.status).",
            productCode, account);
      }
      agreementDetail = status.toUpperCase(Locale.ROOT);
      if (!ENDED_STATUSES.contains(agreementDetail)) {
        return new Rejected(
            Reason.UNSUPPORTED_EVENT,
            "Unknown status \"" + shorten(status) + "\" of an ended agreement; expected CANCELLED,"
                + " EXPIRED, TERMINATED, RENEWED or REPLACED.",
            productCode, account);
      }
    }
    String offer = text(detail.path("offer"), "id");
    return new Accepted(
        new LifecycleEvent(
            action,
            productCode,
            account,
            null,
            account,
            messageId == null ? null : shorten(messageId),
            occurredAt,
            context.source(),
            offer == null || !SubscriptionIds.isSafe(offer) ? null : offer,
            null,
            agreementId,
            licenseArn,
            agreementDetail));
  }

  private String codes() {
    return String.join(", ", listing.productCodes().stream().sorted().toList());
  }

  private static String productCodeOf(JsonNode detail) {
    String code = text(detail.path("product"), "code");
    return code != null && SubscriptionIds.isSafe(code) ? code : null;
  }

  private static String accountOf(JsonNode detail) {
    String account = text(detail.path("acceptor"), "accountId");
    return account != null && ACCOUNT_ID.matcher(account).matches() ? account : null;
  }

  /**
   * Queue bodies are text; a body that went through the wrong decoder shows replacement
   * characters, NULs or broken surrogate pairs. Such bodies are refused rather than guessed at.
   */
  static String encodingProblem(String body) {
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\uFFFD') {
        return "The message body is not valid UTF-8 text (it contains replacement characters).";
      }
      if (c == '\u0000') {
        return "The message body contains NUL characters: it is binary or UTF-16, not UTF-8"
            + " text.";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= body.length() || !Character.isLowSurrogate(body.charAt(i + 1))) {
          return "The message body is not valid Unicode text (a broken surrogate pair).";
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return "The message body is not valid Unicode text (a broken surrogate pair).";
      }
    }
    return null;
  }

  private static String strip(String body) {
    String s = body.strip();
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  private static JsonNode readObject(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** The field's text when it is a non-blank JSON string, else null. */
  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      return null;
    }
    return value.asText().strip();
  }

  private static Boolean flag(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isTextual()) {
      String s = value.asText().strip().toLowerCase(Locale.ROOT);
      if (s.equals("true")) {
        return Boolean.TRUE;
      }
      if (s.equals("false")) {
        return Boolean.FALSE;
      }
    }
    return null;
  }

  private static Instant instant(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String safeOrNull(String value) {
    return value != null && SubscriptionIds.isSafe(value) ? value : null;
  }

  private static String shorten(String value) {
    return value.length() <= 200 ? value : value.substring(0, 200) + "...";
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }
}
