package io.mpconnect.standins.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.standins.events.AgreementEvents.Envelope;
import io.mpconnect.standins.events.AgreementEvents.Role;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The events have the envelope and detail fields of AWS's seller-guide samples, in that order. */
class AgreementEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SELLER = "123456512334";
  private static final String BUYER = "845735284135";
  private static final String LICENSE =
      "arn:aws:license-manager::123456512334:license:l-e52ca6f38bf84d0fafb8802ca15ac11x";
  private static final Instant TIME = Instant.parse("2024-08-30T21:36:03Z");
  private final AgreementEvents events =
      new AgreementEvents(SELLER, "prod-qtwveEXAMPLE", "aw4fgf5tyo5w2ap6fEXAMPLE");

  @Test
  void purchaseAgreementCreated_hasAwsShape() throws Exception {
    JsonNode event = JSON.readTree(events.agreementCreated(
        new Envelope("evt-1", TIME, "req-1"), Role.PROPOSER, BUYER, "agmt-1", "offer-1", "NEW"));

    assertThat(fieldNames(event)).containsExactly("version", "id", "detail-type", "source",
        "account", "time", "region", "resources", "detail");
    assertThat(event.path("version").asText()).isEqualTo("0");
    assertThat(event.path("id").asText()).isEqualTo("evt-1");
    assertThat(event.path("detail-type").asText())
        .isEqualTo("Purchase Agreement Created - Proposer");
    assertThat(event.path("source").asText()).isEqualTo("aws.agreement-marketplace");
    assertThat(event.path("account").asText()).isEqualTo(SELLER);
    assertThat(event.path("time").asText()).isEqualTo("2024-08-30T21:36:03Z");
    assertThat(event.path("region").asText()).isEqualTo("us-east-1");
    assertThat(event.path("resources").get(0).asText())
        .isEqualTo("arn:aws:aws-marketplace::aws:agreement:agmt-1");
    JsonNode detail = event.path("detail");
    assertThat(fieldNames(detail)).containsExactly("requestId", "catalog", "agreement",
        "resaleAuthorization", "acceptor", "proposer", "offer");
    assertThat(detail.path("requestId").asText()).isEqualTo("req-1");
    assertThat(detail.path("catalog").asText()).isEqualTo("AWSMarketplace");
    assertThat(detail.path("agreement").path("id").asText()).isEqualTo("agmt-1");
    assertThat(detail.path("agreement").path("intent").asText()).isEqualTo("NEW");
    assertThat(detail.path("agreement").path("status").asText()).isEqualTo("ACTIVE");
    assertThat(detail.path("agreement").path("startTime").asText())
        .isEqualTo("2024-08-30T21:36:03Z");
    assertThat(detail.path("resaleAuthorization").path("id").isNull()).isTrue();
    assertThat(detail.path("acceptor").path("accountId").asText()).isEqualTo(BUYER);
    assertThat(detail.path("proposer").path("accountId").asText()).isEqualTo(SELLER);
    assertThat(detail.path("offer").path("id").asText()).isEqualTo("offer-1");
    assertThat(detail.has("product")).as("AWS's NEW sample names no product").isFalse();
    assertThat(detail.has("license")).isFalse();
  }

  @Test
  void aRenewalAndAnAmendmentNameTheProductIdButNoCode() throws Exception {
    JsonNode renew = JSON.readTree(events.agreementCreated(
        Envelope.fresh(), Role.MANUFACTURER, BUYER, "agmt-2", "offer-1", "renew")).path("detail");
    assertThat(renew.path("agreement").path("intent").asText()).isEqualTo("RENEW");
    assertThat(renew.path("product").path("id").asText()).isEqualTo("prod-qtwveEXAMPLE");
    assertThat(renew.path("product").has("code")).isFalse();

    JsonNode amended = JSON.readTree(events.agreementAmended(BUYER, "agmt-2", "offer-1"));
    assertThat(amended.path("detail-type").asText())
        .isEqualTo("Purchase Agreement Amended - Proposer");
    assertThat(amended.path("detail").path("agreement").path("intent").asText())
        .isEqualTo("AMEND");
    assertThat(amended.path("detail").path("product").path("id").asText())
        .isEqualTo("prod-qtwveEXAMPLE");
  }

  @Test
  void purchaseAgreementEnded_carriesTheStatusOnly() throws Exception {
    JsonNode event = JSON.readTree(events.agreementEnded(
        new Envelope(null, TIME, null), Role.MANUFACTURER, BUYER, "agmt-3", null, "cancelled"));
    assertThat(event.path("detail-type").asText())
        .isEqualTo("Purchase Agreement Ended - Manufacturer");
    JsonNode agreement = event.path("detail").path("agreement");
    assertThat(fieldNames(agreement)).containsExactly("id", "status");
    assertThat(agreement.path("status").asText()).isEqualTo("CANCELLED");
    assertThat(event.path("detail").path("offer").path("id").isNull()).isTrue();
    assertThat(event.path("detail").has("product")).isFalse();
  }

  @Test
  void licenseEvents_carryProductCodeIdAndLicenseArn() throws Exception {
    for (String body : List.of(events.licenseUpdated(BUYER, "agmt-4", LICENSE, "offer-4"),
        events.licenseDeprovisioned(BUYER, "agmt-4", LICENSE, "offer-4"))) {
      JsonNode event = JSON.readTree(body);
      assertThat(event.path("detail-type").asText()).endsWith(" - Manufacturer");
      JsonNode detail = event.path("detail");
      assertThat(fieldNames(detail)).containsExactly("requestId", "catalog", "agreement",
          "product", "license", "acceptor", "proposer", "offer");
      assertThat(detail.path("agreement").path("id").asText()).isEqualTo("agmt-4");
      assertThat(detail.path("product").path("code").asText())
          .isEqualTo("aw4fgf5tyo5w2ap6fEXAMPLE");
      assertThat(detail.path("product").path("id").asText()).isEqualTo("prod-qtwveEXAMPLE");
      assertThat(detail.path("license").path("arn").asText()).isEqualTo(LICENSE);
      assertThat(detail.path("acceptor").path("accountId").asText()).isEqualTo(BUYER);
    }
    assertThat(JSON.readTree(events.licenseUpdated(BUYER, "agmt-4", LICENSE, null))
        .path("detail-type").asText()).isEqualTo("License Updated - Manufacturer");
    assertThat(JSON.readTree(events.licenseDeprovisioned(BUYER, "agmt-4", LICENSE, null))
        .path("detail-type").asText()).isEqualTo("License Deprovisioned - Manufacturer");
  }

  @Test
  void everyEventHasAFreshIdUnlessGiven_andEventsOfOneRequestShareItsRequestId()
      throws Exception {
    JsonNode a = JSON.readTree(events.agreementCreated(BUYER, "agmt-5", "offer-5"));
    JsonNode b = JSON.readTree(events.agreementCreated(BUYER, "agmt-5", "offer-5"));
    assertThat(a.path("id").asText()).isNotBlank().isNotEqualTo(b.path("id").asText());
    assertThat(a.path("detail").path("requestId").asText())
        .isNotEqualTo(b.path("detail").path("requestId").asText());

    Envelope request = Envelope.inRequest("req-shared");
    JsonNode created = JSON.readTree(events.agreementCreated(
        request, Role.PROPOSER, BUYER, "agmt-5", "offer-5", "NEW"));
    JsonNode updated = JSON.readTree(events.licenseUpdated(
        Envelope.inRequest("req-shared"), BUYER, "agmt-5", LICENSE, "offer-5"));
    assertThat(created.path("detail").path("requestId").asText()).isEqualTo("req-shared");
    assertThat(updated.path("detail").path("requestId").asText()).isEqualTo("req-shared");
    assertThat(created.path("id").asText()).isNotEqualTo(updated.path("id").asText());
    assertThat(request.withId("given").id()).isEqualTo("given");
    assertThat(request.withTime(TIME).time()).isEqualTo(TIME);
  }

  @Test
  void timesAreWholeSecondsInUtc() throws Exception {
    JsonNode event = JSON.readTree(events.licenseUpdated(
        new Envelope(null, Instant.parse("2026-01-02T03:04:00.987654Z"), null), BUYER, "agmt-6",
        LICENSE, null));
    assertThat(event.path("time").asText()).isEqualTo("2026-01-02T03:04:00Z");
  }

  @Test
  void agreementIdsLookLikeAws() {
    assertThat(AgreementEvents.newAgreementId()).matches("agmt-[a-z0-9]{25}")
        .isNotEqualTo(AgreementEvents.newAgreementId());
  }

  @Test
  void itRefusesWhatAwsWouldNeverSend() {
    assertThatThrownBy(() -> new AgreementEvents("1234", "prod-1", "code"))
        .hasMessageContaining("12 digits");
    assertThatThrownBy(() -> events.licenseUpdated(BUYER, "agmt-1", null, null))
        .hasMessageContaining("LicenseArn");
    assertThatThrownBy(() -> events.agreementCreated("buyer", "agmt-1", null))
        .hasMessageContaining("buyer");
    assertThatThrownBy(() -> events.agreementEnded(BUYER, " ", null, "EXPIRED"))
        .hasMessageContaining("agreement id");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
