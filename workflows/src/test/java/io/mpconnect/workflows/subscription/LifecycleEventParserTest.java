package io.mpconnect.workflows.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Accepted;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Context;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Reason;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Rejected;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Result;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LifecycleEventParserTest {
  private static final String PRODUCT = "prod-abc123";
  private static final Instant SENT = Instant.parse("2026-11-26T04:00:00Z");
  private static final Context SQS = new Context("sqs", "sqs-message-1", SENT);
  private final LifecycleEventParser parser = new LifecycleEventParser(Set.of(PRODUCT));

  private static String legacy(String action) {
    return "{\"action\":\"" + action + "\",\"customer-identifier\":\"cust-1\","
        + "\"product-code\":\"" + PRODUCT + "\",\"offer-identifier\":\"offer-9\","
        + "\"isFreeTrialTermPresent\":\"true\"}";
  }

  private static String sns(String message) {
    return "{\"Type\":\"Notification\",\"MessageId\":\"sns-42\","
        + "\"TopicArn\":\"arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-x\","
        + "\"Message\":" + jsonString(message) + ",\"Timestamp\":\"2026-11-26T03:59:58.123Z\","
        + "\"SignatureVersion\":\"1\",\"Signature\":\"abc\"}";
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void givenAnSnsWrappedLegacyMessage_itUsesTheSnsIdAndTimestamp() {
    LifecycleEvent event = accepted(parser.parse(sns(legacy("subscribe-success")), SQS));

    assertThat(event.action()).isEqualTo(LifecycleAction.SUBSCRIBE_SUCCESS);
    assertThat(event.productCode()).isEqualTo(PRODUCT);
    assertThat(event.customerKey()).isEqualTo("cust-1");
    assertThat(event.customerIdentifier()).isEqualTo("cust-1");
    assertThat(event.awsAccountId()).isNull();
    assertThat(event.messageId()).isEqualTo("sns-42");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-26T03:59:58.123Z"));
    assertThat(event.offerIdentifier()).isEqualTo("offer-9");
    assertThat(event.freeTrial()).isTrue();
    assertThat(event.source()).isEqualTo("sqs");
  }

  @ParameterizedTest
  @ValueSource(strings = {"subscribe-success", "subscribe-fail", "unsubscribe-pending",
      "unsubscribe-success", "UNSUBSCRIBE-SUCCESS"})
  void givenARawLegacyMessage_itUsesTheQueuesIdAndSendTime(String action) {
    LifecycleEvent event = accepted(parser.parse(legacy(action), SQS));

    assertThat(event.action().wireName()).isEqualTo(action.toLowerCase());
    assertThat(event.messageId()).isEqualTo("sqs-message-1");
    assertThat(event.occurredAt()).isEqualTo(SENT);
  }

  @Test
  void givenAnInjectedLegacyMessage_itHasNoIdAndNoTime() {
    LifecycleEvent event = accepted(parser.parse(legacy("subscribe-success"), Context.admin()));
    assertThat(event.messageId()).isNull();
    assertThat(event.occurredAt()).isNull();
    assertThat(event.source()).isEqualTo("admin");
  }

  @Test
  void givenAnAccountIdInsteadOfACustomerIdentifier_itKeysByTheAccount() {
    LifecycleEvent event = accepted(parser.parse(
        "{\"action\":\"subscribe-success\",\"customer-aws-account-id\":\"111122223333\","
            + "\"product-code\":\"" + PRODUCT + "\"}", SQS));
    assertThat(event.customerKey()).isEqualTo("111122223333");
    assertThat(event.awsAccountId()).isEqualTo("111122223333");
  }

  @Test
  void givenAnEventBridgeEventWithALegacyDetail_itReadsTheDetail() {
    String body = "{\"version\":\"0\",\"id\":\"eb-1\",\"detail-type\":\"SaaS Subscription\","
        + "\"source\":\"aws.marketplace\",\"time\":\"2026-11-26T05:00:00Z\",\"detail\":"
        + legacy("unsubscribe-pending") + "}";
    LifecycleEvent event = accepted(parser.parse(body, SQS));
    assertThat(event.action()).isEqualTo(LifecycleAction.UNSUBSCRIBE_PENDING);
    assertThat(event.messageId()).isEqualTo("eb-1");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-26T05:00:00Z"));
  }

  @Test
  void givenAPurchaseAgreementCreated_itIsASubscribeSuccessOfTheAcceptorsAccount() {
    String body = agreement("Purchase Agreement Created - Manufacturer", "NEW", PRODUCT);
    LifecycleEvent event = accepted(parser.parse(body, SQS));
    assertThat(event.action()).isEqualTo(LifecycleAction.SUBSCRIBE_SUCCESS);
    assertThat(event.customerKey()).isEqualTo("444455556666");
    assertThat(event.awsAccountId()).isEqualTo("444455556666");
    assertThat(event.customerIdentifier()).isNull();
    assertThat(event.messageId()).isEqualTo("req-7");
  }

  @Test
  void givenAnAgreementOfAnotherProduct_itIsUnknownProduct() {
    Rejected rejected = rejected(parser.parse(
        agreement("Purchase Agreement Created - Proposer", "NEW", "prod-other"), SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_PRODUCT);
    assertThat(rejected.productCode()).isEqualTo("prod-other");
  }

  @Test
  void givenAnEndedAgreement_itIsParkedAsUnsupportedWithWhatToDo() {
    Rejected rejected = rejected(parser.parse(
        agreement("Purchase Agreement Ended - Manufacturer", null, PRODUCT), SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNSUPPORTED_EVENT);
    assertThat(rejected.detail()).contains("several agreements").contains("by hand");
    assertThat(rejected.customerKey()).isEqualTo("444455556666");
  }

  @Test
  void givenALicenseEvent_itIsParkedAsUnsupported() {
    Rejected rejected = rejected(parser.parse(
        agreement("License Deprovisioned - Manufacturer", null, PRODUCT), SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNSUPPORTED_EVENT);
  }

  @Test
  void givenAnSnsSubscriptionConfirmation_itSaysHowToConfirm() {
    Rejected rejected = rejected(parser.parse(
        "{\"Type\":\"SubscriptionConfirmation\",\"SubscribeURL\":\"https://sns\"}", SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNSUPPORTED_EVENT);
    assertThat(rejected.detail()).contains("SubscribeURL");
  }

  @Test
  void givenAnotherProduct_itIsUnknownProduct() {
    Rejected rejected = rejected(parser.parse(
        legacy("subscribe-success").replace(PRODUCT, "prod-zzz"), SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_PRODUCT);
    assertThat(rejected.detail()).contains("prod-zzz");
    assertThat(rejected.customerKey()).isEqualTo("cust-1");
  }

  @Test
  void givenAnUnknownAction_itIsUnknownAction() {
    Rejected rejected = rejected(parser.parse(legacy("subscribe-maybe"), SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_ACTION);
    assertThat(rejected.detail()).contains("subscribe-maybe");
  }

  @Test
  void givenEntitlementUpdated_itIsUnsupported() {
    Rejected rejected = rejected(parser.parse(sns(legacy("entitlement-updated")), SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNSUPPORTED_EVENT);
    assertThat(rejected.detail()).contains("contract");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json at all",
      "[1,2,3]",
      "{\"action\":\"subscribe-success\"",
      "{\"hello\":\"world\"}",
      "{\"action\":\"subscribe-success\",\"product-code\":\"prod-abc123\"}",
      "{\"action\":42,\"customer-identifier\":\"c\",\"product-code\":\"prod-abc123\"}",
      "{\"action\":\"subscribe-success\",\"customer-identifier\":\"has spaces\",\"product-code\":\"prod-abc123\"}",
      "{\"action\":\"subscribe-success\",\"customer-aws-account-id\":\"12\",\"product-code\":\"prod-abc123\"}",
      "{\"action\":\"subscribe-success\",\"action\":\"subscribe-fail\",\"customer-identifier\":\"c\",\"product-code\":\"prod-abc123\"}",
      "{\"Type\":\"Notification\",\"Message\":\"not json\"}",
      "{\"Type\":\"Notification\",\"Message\":{\"action\":\"subscribe-success\"}}",
      "{\"detail-type\":\"X\",\"detail\":\"string\"}",
      "{} {}",
      "   "
  })
  void givenAMalformedBody_itIsMalformed(String body) {
    assertThat(rejected(parser.parse(body, SQS)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void givenAnOversizedBody_itIsOversized() {
    String body = legacy("subscribe-success").replace("offer-9",
        "o".repeat(LifecycleEventParser.MAX_BODY_CHARS));
    assertThat(rejected(parser.parse(body, SQS)).reason()).isEqualTo(Reason.OVERSIZED);
  }

  @Test
  void givenABodyDecodedWithTheWrongCharset_itIsMalformed() {
    byte[] latin1 = legacy("subscribe-success").replace("cust-1", "cüst-1")
        .getBytes(StandardCharsets.ISO_8859_1);
    String misread = new String(latin1, StandardCharsets.UTF_8); // 0xFC is not UTF-8
    Rejected rejected = rejected(parser.parse(misread, SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(rejected.detail()).contains("UTF-8");
  }

  @Test
  void givenAUtf16Body_itIsMalformed() {
    byte[] utf16 = legacy("subscribe-success").getBytes(StandardCharsets.UTF_16LE);
    String misread = new String(utf16, StandardCharsets.ISO_8859_1);
    assertThat(rejected(parser.parse(misread, SQS)).detail()).contains("NUL");
  }

  @Test
  void givenABrokenSurrogatePair_itIsMalformed() {
    String body = legacy("subscribe-success").replace("offer-9", "offer-\uD800x");
    assertThat(rejected(parser.parse(body, SQS)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void givenAByteOrderMarkAndSurroundingSpace_itIsAccepted() {
    assertThat(parser.parse("\uFEFF" + legacy("subscribe-fail") + "\n", SQS))
        .isInstanceOf(Accepted.class);
  }

  private static String agreement(String detailType, String intent, String productCode) {
    return "{\"version\":\"0\",\"id\":\"eb-2\",\"detail-type\":\"" + detailType + "\","
        + "\"source\":\"aws.agreement-marketplace\",\"account\":\"999988887777\","
        + "\"time\":\"2026-11-26T06:00:00Z\",\"detail\":{\"requestId\":\"req-7\","
        + "\"agreement\":{\"id\":\"agmt-1\"" + (intent == null ? "" : ",\"intent\":\"" + intent + "\"")
        + "},\"acceptor\":{\"accountId\":\"444455556666\"},"
        + "\"product\":{\"id\":\"prod-id-1\",\"code\":\"" + productCode + "\"}}}";
  }

  private static LifecycleEvent accepted(Result result) {
    assertThat(result).isInstanceOf(Accepted.class);
    return ((Accepted) result).event();
  }

  private static Rejected rejected(Result result) {
    assertThat(result).isInstanceOf(Rejected.class);
    return (Rejected) result;
  }
}
