package io.mpconnect.worker.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.standins.events.AgreementEvents.Envelope;
import io.mpconnect.standins.events.AgreementEvents.Role;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.subscription.LifecycleEventParser;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Accepted;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Context;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Listing;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Reason;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Rejected;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the standins' {@link AgreementEvents} builds (the developer mode's and the end-to-end
 * tests' AWS events) is what the parser accepts, field by field. Both meet here: the workflows
 * module does not see the standins.
 */
class AgreementEventsRoundTripTest {
  private static final String SELLER = "123456512334";
  private static final String PRODUCT_ID = "prod-listing42";
  private static final String CODE = "8kkr91jo647j3qxlcjhlqce7y";
  private static final String BUYER = "845735284135";
  private static final String LICENSE =
      "arn:aws:license-manager::123456512334:license:l-0123456789abcdef0123456789abcdef";
  private static final Instant TIME = Instant.parse("2026-11-26T04:05:06Z");
  private static final Context SQS = new Context("sqs", "sqs-1", Instant.EPOCH);

  private final AgreementEvents events = new AgreementEvents(SELLER, PRODUCT_ID, CODE);
  private final LifecycleEventParser parser =
      new LifecycleEventParser(Listing.of(CODE, PRODUCT_ID, SELLER));
  private final String agreement = AgreementEvents.newAgreementId();

  @ParameterizedTest
  @ValueSource(strings = {"NEW", "RENEW", "REPLACE"})
  void agreementCreated(String intent) {
    for (Role role : Role.values()) {
      LifecycleEvent event = accepted(events.agreementCreated(
          new Envelope("evt-created", TIME, "req-1"), role, BUYER, agreement, "offer-1", intent));
      assertThat(event.action()).isEqualTo(LifecycleAction.AGREEMENT_CREATED);
      assertThat(event.agreementDetail()).isEqualTo(intent);
      assertThat(event.productCode()).isEqualTo(CODE);
      assertThat(event.customerKey()).isEqualTo(BUYER);
      assertThat(event.awsAccountId()).isEqualTo(BUYER);
      assertThat(event.agreementId()).isEqualTo(agreement);
      assertThat(event.offerIdentifier()).isEqualTo("offer-1");
      assertThat(event.messageId()).isEqualTo("evt-created");
      assertThat(event.occurredAt()).isEqualTo(TIME);
      assertThat(event.licenseArn()).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(Role.class)
  void agreementAmended(Role role) {
    LifecycleEvent event = accepted(events.agreementAmended(
        Envelope.fresh(), role, BUYER, agreement, "offer-1"));
    assertThat(event.action()).isEqualTo(LifecycleAction.AGREEMENT_AMENDED);
    assertThat(event.agreementId()).isEqualTo(agreement);
    assertThat(event.productCode()).isEqualTo(CODE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"CANCELLED", "EXPIRED", "TERMINATED", "RENEWED", "REPLACED"})
  void agreementEnded(String status) {
    for (Role role : Role.values()) {
      LifecycleEvent event = accepted(events.agreementEnded(
          Envelope.fresh(), role, BUYER, agreement, null, status));
      assertThat(event.action()).isEqualTo(LifecycleAction.AGREEMENT_ENDED);
      assertThat(event.agreementDetail()).isEqualTo(status);
      assertThat(event.offerIdentifier()).isNull();
    }
  }

  @Test
  void licenseUpdatedAndDeprovisioned() {
    LifecycleEvent updated = accepted(events.licenseUpdated(BUYER, agreement, LICENSE, "offer-1"));
    assertThat(updated.action()).isEqualTo(LifecycleAction.LICENSE_UPDATED);
    assertThat(updated.licenseArn()).isEqualTo(LICENSE);
    assertThat(updated.agreementId()).isEqualTo(agreement);
    assertThat(updated.productCode()).isEqualTo(CODE);
    assertThat(updated.customerKey()).isEqualTo(BUYER);

    LifecycleEvent deprovisioned =
        accepted(events.licenseDeprovisioned(BUYER, agreement, LICENSE, "offer-1"));
    assertThat(deprovisioned.action()).isEqualTo(LifecycleAction.LICENSE_DEPROVISIONED);
    assertThat(deprovisioned.licenseArn()).isEqualTo(LICENSE);
    assertThat(deprovisioned.messageId()).isNotEqualTo(updated.messageId());
  }

  @Test
  void eventsOfOneRequest_keepTheirOwnIds() {
    LifecycleEvent created = accepted(events.agreementCreated(
        Envelope.inRequest("req-shared"), Role.PROPOSER, BUYER, agreement, "offer-1", "NEW"));
    LifecycleEvent updated = accepted(events.licenseUpdated(
        Envelope.inRequest("req-shared"), BUYER, agreement, LICENSE, "offer-1"));
    assertThat(created.messageId()).isNotEqualTo(updated.messageId()).isNotEqualTo("req-shared");
  }

  @Test
  void anotherSellersOrListingsEvents_areRefused() {
    AgreementEvents otherSeller = new AgreementEvents("999988887777", PRODUCT_ID, CODE);
    assertThat(rejected(otherSeller.licenseUpdated(BUYER, agreement, LICENSE, null)).reason())
        .isEqualTo(Reason.FOREIGN_ACCOUNT);
    AgreementEvents otherListing = new AgreementEvents(SELLER, "prod-other", "code-other");
    assertThat(rejected(otherListing.licenseUpdated(BUYER, agreement, LICENSE, null)).reason())
        .isEqualTo(Reason.UNKNOWN_PRODUCT);
    assertThat(rejected(otherListing.agreementAmended(BUYER, agreement, null)).reason())
        .isEqualTo(Reason.UNKNOWN_PRODUCT);
  }

  private LifecycleEvent accepted(String body) {
    LifecycleEventParser.Result result = parser.parse(body, SQS);
    assertThat(result).as(body).isInstanceOf(Accepted.class);
    return ((Accepted) result).event();
  }

  private Rejected rejected(String body) {
    LifecycleEventParser.Result result = parser.parse(body, SQS);
    assertThat(result).as(body).isInstanceOf(Rejected.class);
    return (Rejected) result;
  }
}
