package io.mpconnect.workflows.subscription;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
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
 *   <li>an EventBridge event ({@code detail-type}, {@code detail}): a legacy-shaped detail (with
 *       {@code action}) is read as above; of the Concurrent Agreements events only {@code Purchase
 *       Agreement Created} is applied (as subscribe-success of the acceptor's AWS account), the
 *       rest are rejected as unsupported so that they are parked and visible, not dropped: one AWS
 *       account may hold several agreements, so an ended agreement does not safely mean an ended
 *       subscription until subscriptions are keyed by agreement.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class LifecycleEventParser {
  /** SQS's own limit on a message body. */
  public static final int MAX_BODY_CHARS = 256 * 1024;

  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Why a message cannot be applied; the parked row and the metric carry it. */
  public enum Reason {
    /** Larger than {@link #MAX_BODY_CHARS}. */
    OVERSIZED,
    /** Not JSON, not text, not one of the accepted shapes, or a field of the wrong shape. */
    MALFORMED,
    /** A product code that is not this vendor's. */
    UNKNOWN_PRODUCT,
    /** An {@code action} that is not a lifecycle action. */
    UNKNOWN_ACTION,
    /** A well-formed AWS message the product does not apply automatically. */
    UNSUPPORTED_EVENT,
    /** Temporal refused to accept it for good (set by the consumer, not the parser). */
    DELIVERY_FAILED
  }

  /** Where a body came from. */
  public record Context(String source, String transportMessageId, Instant sentAt) {
    public static Context admin() {
      return new Context("admin", null, null);
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

  private final Set<String> productCodes;

  /** @param productCodes this vendor's product codes; events of any other product are rejected */
  public LifecycleEventParser(Set<String> productCodes) {
    if (productCodes == null || productCodes.isEmpty()) {
      throw new IllegalArgumentException("the parser needs the vendor's product code(s)");
    }
    this.productCodes = Set.copyOf(productCodes);
  }

  public Result parse(String body, Context context) {
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
      return sns(root, context);
    }
    if (root.has("detail-type") || root.has("detail")) {
      return eventBridge(root, context);
    }
    if (root.has("action")) {
      return legacy(root, context, context.transportMessageId(), context.sentAt());
    }
    return Rejected.of(
        Reason.MALFORMED,
        "The JSON object is neither an SNS notification, a lifecycle message (no \"action\") nor"
            + " an EventBridge event (no \"detail-type\").");
  }

  private Result sns(JsonNode envelope, Context context) {
    String type = text(envelope, "Type");
    if (type == null) {
      return Rejected.of(Reason.MALFORMED, "The SNS envelope's \"Type\" is not a string.");
    }
    if (!"Notification".equals(type)) {
      return Rejected.of(
          Reason.UNSUPPORTED_EVENT,
          "An SNS " + type + " message, not a notification"
              + ("SubscriptionConfirmation".equals(type)
                  ? ": confirm the queue's subscription to the topic by opening its SubscribeURL."
                  : "."));
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
    if (!productCodes.contains(productCode)) {
      return new Rejected(
          Reason.UNKNOWN_PRODUCT,
          "The product code " + productCode + " is not this vendor's (" + String.join(", ",
              productCodes.stream().sorted().toList()) + ").",
          productCode,
          safeOrNull(customerKey));
    }
    LifecycleAction action = LifecycleAction.fromWireName(actionName);
    if (action == null) {
      boolean entitlement = "entitlement-updated".equals(actionName.strip().toLowerCase(Locale.ROOT));
      return new Rejected(
          entitlement ? Reason.UNSUPPORTED_EVENT : Reason.UNKNOWN_ACTION,
          entitlement
              ? "entitlement-updated concerns contract products, which are not supported."
              : "Unknown action \"" + shorten(actionName) + "\"; expected subscribe-success,"
                  + " subscribe-fail, unsubscribe-pending or unsubscribe-success.",
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
    String messageId =
        firstNonNull(text(detail, "requestId"), text(event, "id"), context.transportMessageId());
    Instant sentAt = firstNonNull(instant(text(event, "time")), context.sentAt());
    if (detail.has("action")) {
      return legacy(detail, context, messageId, sentAt);
    }
    if (detailType.startsWith("Purchase Agreement Created")) {
      return agreementCreated(detail, detailType, context, messageId, sentAt);
    }
    return new Rejected(
        Reason.UNSUPPORTED_EVENT,
        "The EventBridge event \"" + shorten(detailType) + "\" is not applied automatically"
            + (detailType.startsWith("Purchase Agreement Ended")
                ? ": an AWS account may hold several agreements. If this was the customer's last"
                    + " one, inject unsubscribe-success for it by hand."
                : "."),
        productCodeOf(detail),
        accountOf(detail));
  }

  private Result agreementCreated(
      JsonNode detail, String detailType, Context context, String messageId, Instant sentAt) {
    String productCode = productCodeOf(detail);
    String account = accountOf(detail);
    String intent = text(detail.path("agreement"), "intent");
    if (productCode == null) {
      return new Rejected(
          Reason.UNSUPPORTED_EVENT,
          "\"" + detailType + "\" names no product code this product can match.",
          null,
          account);
    }
    if (!productCodes.contains(productCode)) {
      return new Rejected(
          Reason.UNKNOWN_PRODUCT,
          "The product code " + productCode + " is not this vendor's.",
          productCode,
          account);
    }
    if (intent != null && !Set.of("NEW", "RENEW", "REPLACE").contains(intent)) {
      return new Rejected(
          Reason.UNSUPPORTED_EVENT, "Unknown agreement intent \"" + shorten(intent) + "\".",
          productCode, account);
    }
    if (account == null) {
      return new Rejected(
          Reason.MALFORMED, "The agreement names no acceptor AWS account id.", productCode, null);
    }
    return new Accepted(
        new LifecycleEvent(
            LifecycleAction.SUBSCRIBE_SUCCESS,
            productCode,
            account,
            null,
            account,
            messageId == null ? null : shorten(messageId),
            sentAt,
            context.source(),
            null,
            null));
  }

  private static String productCodeOf(JsonNode detail) {
    String code =
        firstNonNull(
            text(detail.path("product"), "code"),
            text(detail.path("product"), "productCode"),
            text(detail, "productCode"),
            text(detail, "product-code"));
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
