package io.mpconnect.workflows.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Accepted;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Authenticity;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Context;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Listing;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Reason;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Rejected;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Result;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LifecycleEventParserTest {
  private static final String PRODUCT = "prod-abc123";
  private static final Instant SENT = Instant.parse("2026-11-26T04:00:00Z");
  private static final Context SQS = new Context("sqs", "sqs-message-1", SENT);
  private static final String TOPIC =
      "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-x";
  /**
   * Shapes only: the SNS signature check passes everything of {@link #TOPIC} (the real check,
   * SnsSignatures, is tested in the worker's AuthenticAwsEventsTest), and bare messages are
   * accepted as in the developer mode.
   */
  private final LifecycleEventParser parser = new LifecycleEventParser(new Listing(Set.of(PRODUCT)),
      new Authenticity(true, Set.of(TOPIC), envelope -> null, Clock.systemUTC()));

  private static String legacy(String action) {
    return "{\"action\":\"" + action + "\",\"customer-identifier\":\"cust-1\","
        + "\"product-code\":\"" + PRODUCT + "\",\"offer-identifier\":\"offer-9\","
        + "\"isFreeTrialTermPresent\":\"true\"}";
  }

  private static String sns(String message) {
    return "{\"Type\":\"Notification\",\"MessageId\":\"sns-42\","
        + "\"TopicArn\":\"" + TOPIC + "\","
        + "\"Message\":" + jsonString(message) + ",\"Timestamp\":\"2026-11-26T03:59:58.123Z\","
        + "\"SignatureVersion\":\"1\",\"Signature\":\"abc\"}";
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  // ---- legacy shapes (unchanged behaviour)

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
    assertThat(event.agreementId()).isNull();
    assertThat(event.licenseArn()).isNull();
    assertThat(event.agreementDetail()).isNull();
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
  void givenBothAnIdentifierAndAnAccount_itKeysByTheAccountAndKeepsTheIdentifier() {
    LifecycleEvent event = accepted(parser.parse(
        "{\"action\":\"subscribe-success\",\"customer-identifier\":\"cust-1\","
            + "\"customer-aws-account-id\":\"111122223333\",\"product-code\":\"" + PRODUCT
            + "\"}", SQS));
    assertThat(event.customerKey()).isEqualTo("111122223333");
    assertThat(event.customerIdentifier()).isEqualTo("cust-1");
    assertThat(event.awsAccountId()).isEqualTo("111122223333");
  }

  @Test
  void givenAnEventBridgeEventWithALegacyDetail_itReadsTheDetailWithTheEnvelopeId() {
    String body = "{\"version\":\"0\",\"id\":\"eb-1\",\"detail-type\":\"SaaS Subscription\","
        + "\"source\":\"aws.marketplace\",\"time\":\"2026-11-26T05:00:00Z\",\"detail\":"
        + legacy("unsubscribe-pending").replace("{\"action\"", "{\"requestId\":\"req-1\",\"action\"")
        + "}";
    LifecycleEvent event = accepted(parser.parse(body, SQS));
    assertThat(event.action()).isEqualTo(LifecycleAction.UNSUBSCRIBE_PENDING);
    assertThat(event.messageId()).as("the envelope id, not detail.requestId").isEqualTo("eb-1");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-26T05:00:00Z"));
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

  @ParameterizedTest
  @ValueSource(strings = {"purchase-agreement-created", "license-updated", "license-deprovisioned"})
  void givenTheWireNameOfAnEventBridgeEventAsALegacyAction_itIsUnknownAction(String action) {
    assertThat(rejected(parser.parse(legacy(action), SQS)).reason())
        .isEqualTo(Reason.UNKNOWN_ACTION);
  }

  @Test
  void givenEntitlementUpdated_itIsAcceptedAsALegacyAction() {
    LifecycleEvent event = accepted(parser.parse(sns(
        "{\"action\":\"entitlement-updated\",\"customer-identifier\":\"cust-1\","
            + "\"product-code\":\"" + PRODUCT + "\"}"), SQS));

    assertThat(event.action()).isEqualTo(LifecycleAction.ENTITLEMENT_UPDATED);
    assertThat(event.action().legacy()).isTrue();
    assertThat(event.customerKey()).isEqualTo("cust-1");
    assertThat(event.customerIdentifier()).isEqualTo("cust-1");
    assertThat(event.messageId()).isEqualTo("sns-42");
    assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-26T03:59:58.123Z"));
    assertThat(io.mpconnect.workflows.messages.AwsSubscriptionState.after(event.action()))
        .as("the code before licenses ignores it").isNull();
  }

  @Test
  void givenEntitlementUpdatedOfAnotherProduct_itIsUnknownProduct() {
    Rejected rejected = rejected(parser.parse(sns(
        "{\"action\":\"entitlement-updated\",\"customer-identifier\":\"cust-1\","
            + "\"product-code\":\"prod-other\"}"), SQS));
    assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_PRODUCT);
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
      "{\"detail-type\":\"License Updated - Manufacturer\",\"detail\":{}}",
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

  // ---- the listing configuration

  @Test
  void theListingRefusesInconsistentConfiguration() {
    assertThatThrownBy(() -> new Listing(Set.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Listing(Set.of("a"), Map.of("prod-1", "b"), null))
        .hasMessageContaining("not one of the product codes");
    assertThatThrownBy(() -> Listing.of("a", "prod-1", "1234"))
        .hasMessageContaining("12-digit");
    assertThatThrownBy(() -> Listing.of("a", "prod 1", null)).hasMessageContaining("product id");
    Listing blank = Listing.of(" a ", " ", " ");
    assertThat(blank.productCodes()).containsExactly("a");
    assertThat(blank.productIdToCode()).isEmpty();
    assertThat(blank.sellerAccountId()).isNull();
  }

  /**
   * AWS's current model, against the sample bodies of AWS's seller guide ("Amazon EventBridge
   * events", sections "Events for agreements" and "Events for licenses", AWS Marketplace Seller
   * Guide, notifications-eventbridge). The samples' placeholders ({@code "<ISV's account id>"})
   * are replaced by {@link #SELLER}, their shared envelope id by one id per sample, and the
   * product id of the agreement samples that carry one (AWS prints {@code
   * prod-aw4fgf5tyo5w2ap6fEXAMPLE} there and {@code prod-qtwveEXAMPLE} in the license samples) by
   * the license samples' one, so that one listing matches them all.
   */
  @Nested
  class CurrentModel {
    static final String SELLER = "123456512334";
    static final String CODE = "aw4fgf5tyo5w2ap6fEXAMPLE";
    static final String PRODUCT_ID = "prod-qtwveEXAMPLE";
    static final String BUYER = "845735284135";
    static final String AGREEMENT = "agmt-4mwg1nevbokzw95eca5797ixs";
    static final String LICENSE_ARN =
        "aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x";
    static final String REQUEST = "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb";

    final LifecycleEventParser current =
        new LifecycleEventParser(Listing.of(CODE, PRODUCT_ID, SELLER));

    /** AWS's sample of Purchase Agreement Created - Proposer (direct offer: no product). */
    static final String CREATED_PROPOSER = """
        {
          "version": "0",
          "id": "11111111-1234-1234-1234-123456789012",
          "detail-type": "Purchase Agreement Created - Proposer",
          "source": "aws.agreement-marketplace",
          "account": "123456512334",
          "time": "2024-08-30T21:36:03Z",
          "region": "us-east-1",
          "resources": [
            "arn:aws:aws-marketplace::aws:agreement:agmt-4mwg1nevbokzw95eca5797ixs"
          ],
          "detail": {
            "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "catalog": "AWSMarketplace",
            "agreement": {
              "id": "agmt-4mwg1nevbokzw95eca5797ixs",
              "intent": "NEW",
              "status": "ACTIVE",
              "acceptanceTime": "2024-06-26T21:36:03Z",
              "startTime": "2024-08-30T21:36:03Z",
              "endTime": "2025-05-30T21:36:03Z"
            },
            "resaleAuthorization": {
              "id": "resaleauthz-yaxjqxiskysxa"
            },
            "acceptor": {
              "accountId": "845735284135"
            },
            "proposer": {
              "accountId": "123456512334"
            },
            "offer": {
              "id": "offer-1234567890123"
            }
          }
        }""";

    /** AWS's sample of Purchase Agreement Created - Proposer for a renewal (names product.id). */
    static final String CREATED_RENEW = """
        {
          "version": "0",
          "id": "22222222-1234-1234-1234-123456789012",
          "detail-type": "Purchase Agreement Created - Proposer",
          "source": "aws.agreement-marketplace",
          "account": "123456512334",
          "time": "2024-08-30T21:36:03Z",
          "region": "us-east-1",
          "resources": [
            "arn:aws:aws-marketplace::aws:agreement:agmt-newrenewalagreementid"
          ],
          "detail": {
            "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "catalog": "AWSMarketplace",
            "agreement": {
              "id": "agmt-newrenewalagreementid",
              "intent": "RENEW",
              "status": "ACTIVE",
              "acceptanceTime": "2024-08-30T21:36:03Z",
              "startTime": "2024-08-30T21:36:03Z",
              "endTime": "2025-05-30T21:36:03Z",
              "previousAgreementId": "agmt-4mwg1nevbokzw95eca5797ixs"
            },
            "product": {
              "id": "prod-qtwveEXAMPLE",
              "title": "Product Title"
            },
            "acceptor": {
              "accountId": "845735284135"
            },
            "proposer": {
              "name": "Seller Account Name",
              "accountId": "123456512334"
            },
            "offer": {
              "id": "offer-1234567890123"
            }
          }
        }""";

    /** AWS's sample of Purchase Agreement Amended - Proposer. */
    static final String AMENDED = """
        {
          "version": "0",
          "id": "33333333-1234-1234-1234-123456789012",
          "detail-type": "Purchase Agreement Amended - Proposer",
          "source": "aws.agreement-marketplace",
          "account": "123456512334",
          "time": "2024-08-30T21:36:03Z",
          "region": "us-east-1",
          "resources": [
            "arn:aws:aws-marketplace::aws:agreement:agmt-4mwg1nevbokzw95eca5797ixs"
          ],
          "detail": {
            "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "catalog": "AWSMarketplace",
            "agreement": {
              "id": "agmt-4mwg1nevbokzw95eca5797ixs",
              "intent": "AMEND",
              "status": "ACTIVE",
              "acceptanceTime": "2024-06-26T21:36:03Z",
              "startTime": "2024-08-30T21:36:03Z",
              "endTime": "2025-05-30T21:36:03Z",
              "autoRenewalEnabled": true
            },
            "renewalSummary": {
              "lockoutStartTime": "2025-04-30T21:36:03Z",
              "disabledBy": null
            },
            "product": {
              "id": "prod-qtwveEXAMPLE",
              "title": "Product Title"
            },
            "resaleAuthorization": {
              "id": "resaleauthz-yaxjqxiskysxa"
            },
            "acceptor": {
              "accountId": "845735284135"
            },
            "proposer": {
              "accountId": "123456512334"
            },
            "offer": {
              "id": "offer-1234567890123"
            }
          }
        }""";

    /** AWS's sample of Purchase Agreement Ended - Manufacturer. */
    static final String ENDED = """
        {
          "version": "0",
          "id": "44444444-1234-1234-1234-123456789012",
          "detail-type": "Purchase Agreement Ended - Manufacturer",
          "source": "aws.agreement-marketplace",
          "account": "123456512334",
          "time": "2024-08-30T21:36:03Z",
          "region": "us-east-1",
          "resources": [
            "arn:aws:aws-marketplace::aws:agreement:agmt-4mwg1nevbokzw95eca5797ixs"
          ],
          "detail": {
            "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "catalog": "AWSMarketplace",
            "agreement": {
              "id": "agmt-4mwg1nevbokzw95eca5797ixs",
              "status": "CANCELLED"
            },
            "resaleAuthorization": {
              "id": "resaleauthz-yaxjqxiskysxa"
            },
            "acceptor": {
              "accountId": "845735284135"
            },
            "proposer": {
              "accountId": "123456512334"
            },
            "offer": {
              "id": "offer-1234567890123"
            }
          }
        }""";

    /** AWS's sample of License Updated - Manufacturer. */
    static final String LICENSE_UPDATED = """
        {
          "version": "0",
          "id": "55555555-1234-1234-1234-123456789012",
          "detail-type": "License Updated - Manufacturer",
          "source": "aws.agreement-marketplace",
          "account": "123456512334",
          "time": "2024-08-30T21:36:03Z",
          "region": "us-east-1",
          "resources": [
            "arn:aws:aws-marketplace::aws:agreement:agmt-4mwg1nevbokzw95eca5797ixs"
          ],
          "detail": {
            "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "catalog": "AWSMarketplace",
            "agreement": {
              "id": "agmt-4mwg1nevbokzw95eca5797ixs"
            },
            "product": {
              "code": "aw4fgf5tyo5w2ap6fEXAMPLE",
              "id": "prod-qtwveEXAMPLE"
            },
            "license": {
              "arn": "aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x"
            },
            "acceptor": {
              "accountId": "845735284135"
            },
            "proposer": {
              "accountId": "123456512334"
            },
            "offer": {
              "id": "8kkr91jo647j3qxlcjhlqce7y"
            }
          }
        }""";

    /** AWS's sample of License Deprovisioned - Manufacturer. */
    static final String LICENSE_DEPROVISIONED = LICENSE_UPDATED
        .replace("55555555-", "66666666-")
        .replace("License Updated - Manufacturer", "License Deprovisioned - Manufacturer");

    @Test
    void purchaseAgreementCreated_isTheAgreementOfTheAcceptorsAccountForTheConfiguredListing() {
      LifecycleEvent event = accepted(current.parse(CREATED_PROPOSER, SQS));

      assertThat(event.action()).isEqualTo(LifecycleAction.AGREEMENT_CREATED);
      assertThat(event.productCode()).as("the code configured for the product id").isEqualTo(CODE);
      assertThat(event.customerKey()).isEqualTo(BUYER);
      assertThat(event.awsAccountId()).isEqualTo(BUYER);
      assertThat(event.customerIdentifier()).isNull();
      assertThat(event.agreementId()).isEqualTo(AGREEMENT);
      assertThat(event.agreementDetail()).isEqualTo("NEW");
      assertThat(event.offerIdentifier()).isEqualTo("offer-1234567890123");
      assertThat(event.licenseArn()).isNull();
      assertThat(event.freeTrial()).isNull();
      assertThat(event.messageId()).isEqualTo("11111111-1234-1234-1234-123456789012");
      assertThat(event.occurredAt()).isEqualTo(Instant.parse("2024-08-30T21:36:03Z"));
      assertThat(event.source()).isEqualTo("sqs");
    }

    @Test
    void purchaseAgreementCreated_namingTheProductId_isMatchedByIt() {
      LifecycleEvent event = accepted(current.parse(CREATED_RENEW, SQS));
      assertThat(event.action()).isEqualTo(LifecycleAction.AGREEMENT_CREATED);
      assertThat(event.productCode()).isEqualTo(CODE);
      assertThat(event.agreementId()).isEqualTo("agmt-newrenewalagreementid");
      assertThat(event.agreementDetail()).isEqualTo("RENEW");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NEW", "RENEW", "REPLACE"})
    void purchaseAgreementCreated_manufacturer_takesEveryIntent(String intent) {
      String body = CREATED_PROPOSER
          .replace("Created - Proposer", "Created - Manufacturer")
          .replace("\"intent\": \"NEW\"", "\"intent\": \"" + intent + "\"");
      assertThat(accepted(current.parse(body, SQS)).agreementDetail()).isEqualTo(intent);
    }

    @Test
    void purchaseAgreementCreated_withAnUnknownIntent_isUnsupported() {
      Rejected rejected = rejected(current.parse(
          CREATED_PROPOSER.replace("\"intent\": \"NEW\"", "\"intent\": \"AMEND\""), SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.UNSUPPORTED_EVENT);
      assertThat(rejected.detail()).contains("AMEND").contains("NEW, RENEW or REPLACE");
      assertThat(rejected.customerKey()).isEqualTo(BUYER);
      assertThat(rejected.productCode()).isEqualTo(CODE);
    }

    @Test
    void purchaseAgreementCreated_withoutAnIntent_isMalformed() {
      Rejected rejected = rejected(current.parse(
          CREATED_PROPOSER.replace("\"intent\": \"NEW\",", ""), SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(rejected.detail()).contains("detail.agreement.intent");
    }

    @Test
    void purchaseAgreementAmended_isRecorded() {
      LifecycleEvent event = accepted(current.parse(AMENDED, SQS));
      assertThat(event.action()).isEqualTo(LifecycleAction.AGREEMENT_AMENDED);
      assertThat(event.productCode()).isEqualTo(CODE);
      assertThat(event.agreementId()).isEqualTo(AGREEMENT);
      assertThat(event.customerKey()).isEqualTo(BUYER);
      assertThat(event.agreementDetail()).isNull();
      assertThat(event.messageId()).isEqualTo("33333333-1234-1234-1234-123456789012");
      assertThat(accepted(current.parse(
          AMENDED.replace("Amended - Proposer", "Amended - Manufacturer"), SQS)).action())
          .isEqualTo(LifecycleAction.AGREEMENT_AMENDED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CANCELLED", "EXPIRED", "TERMINATED", "RENEWED", "REPLACED"})
    void purchaseAgreementEnded_carriesItsStatus(String status) {
      for (String role : new String[] {"Manufacturer", "Proposer"}) {
        LifecycleEvent event = accepted(current.parse(ENDED
            .replace("Ended - Manufacturer", "Ended - " + role)
            .replace("\"CANCELLED\"", "\"" + status + "\""), SQS));
        assertThat(event.action()).isEqualTo(LifecycleAction.AGREEMENT_ENDED);
        assertThat(event.agreementDetail()).isEqualTo(status);
        assertThat(event.agreementId()).isEqualTo(AGREEMENT);
        assertThat(event.productCode()).isEqualTo(CODE);
        assertThat(event.customerKey()).isEqualTo(BUYER);
        assertThat(event.licenseArn()).isNull();
      }
    }

    @Test
    void purchaseAgreementEnded_withAnUnknownStatus_isUnsupported_withoutAStatus_malformed() {
      Rejected unknown = rejected(current.parse(ENDED.replace("\"CANCELLED\"", "\"ARCHIVED\""),
          SQS));
      assertThat(unknown.reason()).isEqualTo(Reason.UNSUPPORTED_EVENT);
      assertThat(unknown.detail()).contains("ARCHIVED").contains("CANCELLED, EXPIRED");
      assertThat(unknown.customerKey()).isEqualTo(BUYER);

      Rejected none = rejected(current.parse(
          ENDED.replace(",\n      \"status\": \"CANCELLED\"", ""), SQS));
      assertThat(none.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(none.detail()).contains("detail.agreement.status");
    }

    @Test
    void licenseUpdated_isTheUsableLicenseOfTheAgreement() {
      LifecycleEvent event = accepted(current.parse(LICENSE_UPDATED, SQS));

      assertThat(event.action()).isEqualTo(LifecycleAction.LICENSE_UPDATED);
      assertThat(event.productCode()).isEqualTo(CODE);
      assertThat(event.licenseArn()).isEqualTo(LICENSE_ARN);
      assertThat(event.agreementId()).isEqualTo(AGREEMENT);
      assertThat(event.customerKey()).isEqualTo(BUYER);
      assertThat(event.awsAccountId()).isEqualTo(BUYER);
      assertThat(event.customerIdentifier()).isNull();
      assertThat(event.offerIdentifier()).isEqualTo("8kkr91jo647j3qxlcjhlqce7y");
      assertThat(event.agreementDetail()).isNull();
      assertThat(event.messageId()).isEqualTo("55555555-1234-1234-1234-123456789012");
      assertThat(event.occurredAt()).isEqualTo(Instant.parse("2024-08-30T21:36:03Z"));
    }

    @Test
    void licenseDeprovisioned_namesTheLicense() {
      LifecycleEvent event = accepted(current.parse(LICENSE_DEPROVISIONED, SQS));
      assertThat(event.action()).isEqualTo(LifecycleAction.LICENSE_DEPROVISIONED);
      assertThat(event.licenseArn()).isEqualTo(LICENSE_ARN);
      assertThat(event.agreementId()).isEqualTo(AGREEMENT);
      assertThat(event.productCode()).isEqualTo(CODE);
    }

    @Test
    void licenseEvents_needOnlyTheProductCode_notTheProductIdOrSellerAccount() {
      LifecycleEventParser codesOnly = new LifecycleEventParser(Set.of(CODE));
      assertThat(accepted(codesOnly.parse(LICENSE_UPDATED, SQS)).licenseArn())
          .isEqualTo(LICENSE_ARN);
      assertThat(accepted(codesOnly.parse(LICENSE_DEPROVISIONED, SQS)).action())
          .isEqualTo(LifecycleAction.LICENSE_DEPROVISIONED);
    }

    @Test
    void createdAndLicenseUpdatedOfOneRequest_haveTwoDifferentMessageIds() {
      assertThat(CREATED_PROPOSER).contains(REQUEST);
      assertThat(LICENSE_UPDATED).contains(REQUEST);

      LifecycleEvent created = accepted(current.parse(CREATED_PROPOSER, SQS));
      LifecycleEvent updated = accepted(current.parse(LICENSE_UPDATED, SQS));

      assertThat(created.messageId()).isNotEqualTo(updated.messageId());
      assertThat(created.messageId()).isNotEqualTo(REQUEST);
      assertThat(updated.messageId()).isNotEqualTo(REQUEST);
      assertThat(created.agreementId()).isEqualTo(updated.agreementId());
    }

    @Test
    void withoutAnEnvelopeId_theTransportsIdIsTheMessageId() {
      LifecycleEvent event = accepted(current.parse(
          LICENSE_UPDATED.replace("\"id\": \"55555555-1234-1234-1234-123456789012\",", ""), SQS));
      assertThat(event.messageId()).isEqualTo("sqs-message-1");
    }

    @Test
    void withoutATime_theTransportsSentTimeIsUsed() {
      String body = LICENSE_UPDATED.replace("\"time\": \"2024-08-30T21:36:03Z\",", "");
      assertThat(accepted(current.parse(body, SQS)).occurredAt()).isEqualTo(SENT);
      assertThat(accepted(current.parse(body, Context.admin())).occurredAt()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"yesterday\"", "\"2024-08-30 21:36:03\"", "\"\"", "1725053763",
        "{}"})
    void aMalformedTime_isMalformed(String time) {
      Rejected rejected = rejected(current.parse(
          CREATED_PROPOSER.replace("\"2024-08-30T21:36:03Z\",\n  \"region\"",
              time + ",\n  \"region\""), SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(rejected.detail()).contains("\"time\"");
    }

    @Test
    void aLicenseEventWithoutLicenseArn_isMalformed() {
      Rejected rejected = rejected(current.parse(LICENSE_UPDATED.replace(
          "\"arn\": \"" + LICENSE_ARN + "\"", "\"id\": \"l-e52ca6f38bf84d0fafb8802ca15ac11x\""),
          SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(rejected.detail()).contains("no LicenseArn");
      assertThat(rejected.customerKey()).isEqualTo(BUYER);
      assertThat(rejected.productCode()).isEqualTo(CODE);

      Rejected deprovisioned = rejected(current.parse(LICENSE_DEPROVISIONED.replace(
          "\"arn\": \"" + LICENSE_ARN + "\"", "\"arn\": 42"), SQS));
      assertThat(deprovisioned.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(deprovisioned.detail()).contains("no LicenseArn");
    }

    @Test
    void aLicenseEventOfAnotherProductCode_isUnknownProduct() {
      Rejected rejected = rejected(current.parse(
          LICENSE_UPDATED.replace("\"code\": \"" + CODE + "\"", "\"code\": \"someone-elses\""),
          SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_PRODUCT);
      assertThat(rejected.productCode()).isEqualTo("someone-elses");
      assertThat(rejected.customerKey()).isEqualTo(BUYER);
      assertThat(rejected.detail()).contains("someone-elses").contains(CODE);
    }

    @Test
    void aLicenseEventWithoutProductCode_isMalformed() {
      Rejected rejected = rejected(current.parse(
          LICENSE_UPDATED.replace("\"code\": \"" + CODE + "\",", ""), SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(rejected.detail()).contains("detail.product.code");
    }

    @Test
    void anAgreementOfAnotherProductId_isUnknownProduct() {
      Rejected rejected = rejected(current.parse(
          CREATED_RENEW.replace(PRODUCT_ID, "prod-someoneelse"), SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_PRODUCT);
      assertThat(rejected.detail()).contains("prod-someoneelse").contains(PRODUCT_ID);
      assertThat(rejected.customerKey()).isEqualTo(BUYER);
      assertThat(rejected(current.parse(AMENDED.replace(PRODUCT_ID, "prod-x"), SQS)).reason())
          .isEqualTo(Reason.UNKNOWN_PRODUCT);
    }

    @Test
    void anAgreementWithoutProductId_isRefusedWhenSeveralListingsAreConfigured() {
      LifecycleEventParser two = new LifecycleEventParser(new Listing(Set.of(CODE, "code-2"),
          Map.of(PRODUCT_ID, CODE, "prod-2", "code-2"), SELLER));
      Rejected rejected = rejected(two.parse(CREATED_PROPOSER, SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_PRODUCT);
      assertThat(rejected.detail()).contains("several listings");
      assertThat(accepted(two.parse(CREATED_RENEW, SQS)).productCode()).isEqualTo(CODE);
    }

    @Test
    void anAgreementEvent_withoutAConfiguredProductId_isRefusedNamingTheVariable() {
      LifecycleEventParser codesOnly = new LifecycleEventParser(Set.of(CODE));
      for (String body : new String[] {CREATED_PROPOSER, CREATED_RENEW, AMENDED, ENDED}) {
        Rejected rejected = rejected(codesOnly.parse(body, SQS));
        assertThat(rejected.reason()).isEqualTo(Reason.NOT_CONFIGURED);
        assertThat(rejected.detail()).contains("MARKETPLACE_PRODUCT_ID");
        assertThat(rejected.customerKey()).isEqualTo(BUYER);
      }
    }

    @Test
    void anEventForAnotherSellerAccount_isForeignAccount() {
      for (String body : new String[] {CREATED_PROPOSER, AMENDED, ENDED, LICENSE_UPDATED,
          LICENSE_DEPROVISIONED}) {
        Rejected rejected = rejected(current.parse(
            body.replace("\"account\": \"" + SELLER + "\"", "\"account\": \"999999999999\""), SQS));
        assertThat(rejected.reason()).isEqualTo(Reason.FOREIGN_ACCOUNT);
        assertThat(rejected.detail()).contains("999999999999").contains(SELLER)
            .contains("MARKETPLACE_SELLER_ACCOUNT_ID");
      }
      Rejected none = rejected(current.parse(
          LICENSE_UPDATED.replace("\"account\": \"" + SELLER + "\",", ""), SQS));
      assertThat(none.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(none.detail()).contains("\"account\"");
    }

    @Test
    void withoutAConfiguredSellerAccount_theAccountIsNotChecked() {
      LifecycleEventParser anyAccount =
          new LifecycleEventParser(Listing.of(CODE, PRODUCT_ID, null));
      assertThat(anyAccount.parse(LICENSE_UPDATED.replace(SELLER + "\",\n  \"time\"",
          "999999999999\",\n  \"time\""), SQS)).isInstanceOf(Accepted.class);
    }

    @Test
    void anEventFromAnotherSource_isForeignSource() {
      Rejected rejected = rejected(current.parse(
          LICENSE_UPDATED.replace("\"aws.agreement-marketplace\"", "\"aws.marketplacecatalog\""),
          SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.FOREIGN_SOURCE);
      assertThat(rejected.detail()).contains("aws.marketplacecatalog")
          .contains("aws.agreement-marketplace");
      Rejected none = rejected(current.parse(
          CREATED_PROPOSER.replace("\"source\": \"aws.agreement-marketplace\",", ""), SQS));
      assertThat(none.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(none.detail()).contains("\"source\"");
    }

    @Test
    void anAgreementEventWithoutAcceptorAccount_isMalformed() {
      for (String body : new String[] {CREATED_PROPOSER, ENDED, LICENSE_UPDATED}) {
        Rejected rejected = rejected(current.parse(
            body.replace("\"accountId\": \"" + BUYER + "\"", "\"accountId\": \"8457\""), SQS));
        assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(rejected.detail()).contains("detail.acceptor.accountId");
        assertThat(rejected.productCode()).isEqualTo(CODE);
      }
    }

    @Test
    void anEventWithoutAgreementId_isMalformed() {
      Rejected rejected = rejected(current.parse(LICENSE_UPDATED.replace(
          "\"id\": \"" + AGREEMENT + "\"", "\"id\": null"), SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(rejected.detail()).contains("detail.agreement.id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Purchase Agreement Ending - Proposer",
        "Purchase Agreement Advisory Issued - Manufacturer", "License Updated - Proposer",
        "Purchase Agreement Created"})
    void otherAgreementMarketplaceEvents_areParkedAsUnsupported(String detailType) {
      Rejected rejected = rejected(current.parse(
          CREATED_PROPOSER.replace("Purchase Agreement Created - Proposer", detailType), SQS));
      assertThat(rejected.reason()).isEqualTo(Reason.UNSUPPORTED_EVENT);
      assertThat(rejected.detail()).contains(detailType);
      assertThat(rejected.customerKey()).isEqualTo(BUYER);
    }

    @Test
    void anEventBridgeEnvelopeInsideAnSnsNotification_isReadAsTheEvent() {
      LifecycleEvent event = accepted(current.parse(
          "{\"Type\":\"Notification\",\"MessageId\":\"sns-1\",\"Message\":"
              + jsonString(LICENSE_UPDATED.replace("\n", "")) + "}", SQS));
      assertThat(event.action()).isEqualTo(LifecycleAction.LICENSE_UPDATED);
      assertThat(event.messageId()).isEqualTo("55555555-1234-1234-1234-123456789012");
    }

    @Test
    void legacyMessagesStillParseWithTheListing() {
      LifecycleEvent event = accepted(current.parse(
          legacy("subscribe-success").replace(PRODUCT, CODE), SQS));
      assertThat(event.action()).isEqualTo(LifecycleAction.SUBSCRIBE_SUCCESS);
      assertThat(event.customerKey()).isEqualTo("cust-1");
      assertThat(event.awsAccountId()).isNull();
    }
  }

  private static LifecycleEvent accepted(Result result) {
    assertThat(result).isInstanceOf(Accepted.class);
    return ((Accepted) result).event();
  }

  private static Rejected rejected(Result result) {
    assertThat(result).isInstanceOf(Rejected.class);
    return (Rejected) result;
  }

  /** Which messages are believed to be AWS's (the signature check itself is SnsSignatures'). */
  @Nested
  class Authenticity_ {
    private final Instant now = Instant.parse("2026-12-01T00:00:00Z");
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    private final java.util.List<String> checked = new java.util.ArrayList<>();
    private final LifecycleEventParser strict = new LifecycleEventParser(
        new Listing(Set.of(PRODUCT)), new Authenticity(false, Set.of(TOPIC), envelope -> {
          checked.add(envelope);
          return envelope.contains("\"Signature\":\"abc\"") ? null : "does not verify";
        }, clock));

    @Test
    void bareMessagesAndUnsignedEnvelopesAreUnsigned_andAdminPostedEventBridgeEventsToo() {
      assertThat(rejected(strict.parse(legacy("subscribe-success"), SQS)).reason())
          .isEqualTo(Reason.UNSIGNED);
      assertThat(rejected(strict.parse(sns(legacy("subscribe-success"))
          .replace(",\"SignatureVersion\":\"1\",\"Signature\":\"abc\"", ""), SQS)).reason())
          .isEqualTo(Reason.UNSIGNED);
      String legacyDetail = "{\"detail-type\":\"x\",\"source\":\"aws.marketplace\",\"detail\":"
          + legacy("subscribe-success") + "}";
      assertThat(rejected(strict.parse(legacyDetail, SQS)).reason()).isEqualTo(Reason.UNSIGNED);
      String agreement = "{\"detail-type\":\"License Updated - Manufacturer\",\"source\":"
          + "\"aws.agreement-marketplace\",\"detail\":{}}";
      assertThat(rejected(strict.parse(agreement, Context.admin())).reason())
          .isEqualTo(Reason.UNSIGNED);
      assertThat(rejected(strict.parse(agreement, SQS)).reason())
          .as("through the queue it is judged on its content").isEqualTo(Reason.MALFORMED);
      assertThat(checked).isEmpty();
    }

    @Test
    void aSignedNotificationIsCheckedOnlyForAnAllowedTopic() {
      assertThat(accepted(strict.parse(sns(legacy("subscribe-success")), SQS)).messageId())
          .isEqualTo("sns-42");
      assertThat(rejected(strict.parse(sns(legacy("subscribe-success")).replace("\"abc\"",
          "\"abd\""), SQS)).reason()).isEqualTo(Reason.BAD_SIGNATURE);
      assertThat(checked).hasSize(2);
      Rejected foreign = rejected(strict.parse(sns(legacy("subscribe-success")).replace(TOPIC,
          "arn:aws:sns:us-east-1:999999999999:mine"), SQS));
      assertThat(foreign.reason()).isEqualTo(Reason.FOREIGN_TOPIC);
      assertThat(foreign.detail()).contains("MARKETPLACE_SNS_TOPIC_ARNS");
      assertThat(checked).as("no certificate fetched for another topic").hasSize(2);
    }

    @Test
    void anEventMoreThanFiveMinutesAheadIsRefused() {
      LifecycleEventParser open = new LifecycleEventParser(new Listing(Set.of(PRODUCT)),
          new Authenticity(true, Set.of(), null, clock));
      Context sentNow = new Context("sqs", "m", now);
      String soon = legacy("subscribe-success");
      assertThat(accepted(open.parse(soon, new Context("sqs", "m",
          now.plus(Duration.ofMinutes(4))))).occurredAt()).isEqualTo(now.plus(Duration.ofMinutes(4)));
      Rejected late = rejected(open.parse(soon, new Context("sqs", "m",
          now.plus(Duration.ofMinutes(6)))));
      assertThat(late.reason()).isEqualTo(Reason.FUTURE_TIME);
      assertThat(late.customerKey()).isEqualTo("cust-1");
      assertThat(accepted(open.parse(soon, sentNow)).occurredAt()).isEqualTo(now);
    }
  }
}
