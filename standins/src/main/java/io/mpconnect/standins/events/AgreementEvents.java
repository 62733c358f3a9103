package io.mpconnect.standins.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * AWS Marketplace's EventBridge events of the current model (Concurrent Agreements), as AWS sends
 * them to the seller's default event bus (and from there to an SQS queue): for tests, the developer
 * mode and end-to-end tests. Each method returns the event's JSON in the shape of the sample bodies
 * of AWS's seller guide ("Amazon EventBridge events", sections "Events for agreements" and "Events
 * for licenses"): the envelope {@code version}, {@code id}, {@code detail-type}, {@code source}
 * ({@value #SOURCE}), {@code account} (the seller's), {@code time}, {@code region}, {@code
 * resources} (the agreement's ARN) and {@code detail} with {@code requestId}, {@code catalog},
 * {@code agreement}, {@code acceptor}, {@code proposer}, {@code offer}, and for the license events
 * {@code product} ({@code code}, {@code id}) and {@code license.arn}.
 *
 * <p>As in AWS's samples, the purchase agreement events carry no product code: Created with intent
 * NEW or REPLACE and Ended carry no product at all, Created with intent RENEW and Amended carry
 * {@code product.id}. Every event gets a fresh random envelope {@code id} (and {@code requestId})
 * unless an {@link Envelope} gives them; AWS gives the events of one request one {@code requestId}
 * and each event its own {@code id}.
 *
 * <p>Thread-safe.
 */
public final class AgreementEvents {
  /** The EventBridge source of AWS Marketplace's agreement and license events. */
  public static final String SOURCE = "aws.agreement-marketplace";
  /** Where AWS sends these events. */
  public static final String REGION = "us-east-1";
  /** A pay-as-you-go agreement's end, as AWS reports it. */
  public static final Instant NO_END = Instant.parse("9999-01-01T00:00:00Z");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  /** Which party the purchase agreement event is addressed to (its detail-type's suffix). */
  public enum Role {
    /** The seller of record: the ISV for a direct offer (it then gets only this variant). */
    PROPOSER("Proposer"),
    /** The ISV when a channel partner resold the product. */
    MANUFACTURER("Manufacturer");

    private final String suffix;

    Role(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }
  }

  /**
   * What identifies one event: the envelope {@code id} (unique per event), its {@code time}, and
   * {@code detail.requestId} (shared by the events of one AWS request). Null parts are made up.
   */
  public record Envelope(String id, Instant time, String requestId) {
    public Envelope {
      id = id == null ? UUID.randomUUID().toString() : id;
      time = (time == null ? Instant.now() : time).truncatedTo(ChronoUnit.SECONDS);
      requestId = requestId == null ? UUID.randomUUID().toString() : requestId;
    }

    /** A new id and request id, now. */
    public static Envelope fresh() {
      return new Envelope(null, null, null);
    }

    /** A new id, now, in the given AWS request (two events of one request share it). */
    public static Envelope inRequest(String requestId) {
      return new Envelope(null, null, requestId);
    }

    public Envelope withId(String newId) {
      return new Envelope(newId, time, requestId);
    }

    public Envelope withTime(Instant newTime) {
      return new Envelope(id, newTime, requestId);
    }
  }

  private final String sellerAccountId;
  private final String productId;
  private final String productCode;

  /**
   * Events of one listing.
   *
   * @param sellerAccountId the seller's AWS account id: the envelope's {@code account} and the
   *     proposer
   * @param productId the listing's catalog id ({@code prod-...}): {@code product.id}
   * @param productCode the listing's product code: {@code product.code} of the license events
   */
  public AgreementEvents(String sellerAccountId, String productId, String productCode) {
    this.sellerAccountId = account(sellerAccountId, "seller");
    this.productId = required(productId, "product id");
    this.productCode = required(productCode, "product code");
  }

  public String sellerAccountId() {
    return sellerAccountId;
  }

  public String productId() {
    return productId;
  }

  public String productCode() {
    return productCode;
  }

  /** A new agreement id in AWS's format ({@code agmt-} and 25 lowercase letters and digits). */
  public static String newAgreementId() {
    StringBuilder id = new StringBuilder("agmt-");
    for (int i = 0; i < 25; i++) {
      id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
    }
    return id.toString();
  }

  // ---- Purchase Agreement Created

  /** {@code Purchase Agreement Created - Proposer}, intent NEW, a fresh envelope. */
  public String agreementCreated(String buyerAccountId, String agreementId, String offerId) {
    return agreementCreated(Envelope.fresh(), Role.PROPOSER, buyerAccountId, agreementId, offerId,
        "NEW");
  }

  /**
   * {@code Purchase Agreement Created - <role>}.
   *
   * @param intent NEW, RENEW or REPLACE (anything else is written as given, for tests)
   */
  public String agreementCreated(
      Envelope envelope, Role role, String buyerAccountId, String agreementId, String offerId,
      String intent) {
    ObjectNode detail = detail(envelope);
    ObjectNode agreement = detail.putObject("agreement");
    agreement.put("id", required(agreementId, "agreement id"));
    agreement.put("intent", required(intent, "intent").toUpperCase(Locale.ROOT));
    agreement.put("status", "ACTIVE");
    agreement.put("acceptanceTime", envelope.time().toString());
    agreement.put("startTime", envelope.time().toString());
    agreement.put("endTime", NO_END.toString());
    if ("RENEW".equalsIgnoreCase(intent)) {
      detail.putObject("product").put("id", productId);
    }
    detail.putObject("resaleAuthorization").putNull("id");
    parties(detail, buyerAccountId, offerId);
    return envelope(envelope, "Purchase Agreement Created - " + role.suffix(), agreementId, detail);
  }

  // ---- Purchase Agreement Amended

  /** {@code Purchase Agreement Amended - Proposer}, a fresh envelope. */
  public String agreementAmended(String buyerAccountId, String agreementId, String offerId) {
    return agreementAmended(Envelope.fresh(), Role.PROPOSER, buyerAccountId, agreementId, offerId);
  }

  /** {@code Purchase Agreement Amended - <role>} (intent AMEND, status ACTIVE). */
  public String agreementAmended(
      Envelope envelope, Role role, String buyerAccountId, String agreementId, String offerId) {
    ObjectNode detail = detail(envelope);
    ObjectNode agreement = detail.putObject("agreement");
    agreement.put("id", required(agreementId, "agreement id"));
    agreement.put("intent", "AMEND");
    agreement.put("status", "ACTIVE");
    agreement.put("acceptanceTime", envelope.time().toString());
    agreement.put("startTime", envelope.time().toString());
    agreement.put("endTime", NO_END.toString());
    detail.putObject("product").put("id", productId);
    detail.putObject("resaleAuthorization").putNull("id");
    parties(detail, buyerAccountId, offerId);
    return envelope(envelope, "Purchase Agreement Amended - " + role.suffix(), agreementId, detail);
  }

  // ---- Purchase Agreement Ended

  /**
   * {@code Purchase Agreement Ended - Proposer}, a fresh envelope.
   *
   * @param status CANCELLED, EXPIRED, TERMINATED, RENEWED or REPLACED
   */
  public String agreementEnded(
      String buyerAccountId, String agreementId, String offerId, String status) {
    return agreementEnded(Envelope.fresh(), Role.PROPOSER, buyerAccountId, agreementId, offerId,
        status);
  }

  /** {@code Purchase Agreement Ended - <role>} with the agreement's final status. */
  public String agreementEnded(
      Envelope envelope, Role role, String buyerAccountId, String agreementId, String offerId,
      String status) {
    ObjectNode detail = detail(envelope);
    ObjectNode agreement = detail.putObject("agreement");
    agreement.put("id", required(agreementId, "agreement id"));
    agreement.put("status", required(status, "status").toUpperCase(Locale.ROOT));
    detail.putObject("resaleAuthorization").putNull("id");
    parties(detail, buyerAccountId, offerId);
    return envelope(envelope, "Purchase Agreement Ended - " + role.suffix(), agreementId, detail);
  }

  // ---- License Updated / Deprovisioned (always - Manufacturer)

  /** {@code License Updated - Manufacturer}, a fresh envelope: the license is usable. */
  public String licenseUpdated(
      String buyerAccountId, String agreementId, String licenseArn, String offerId) {
    return licenseUpdated(Envelope.fresh(), buyerAccountId, agreementId, licenseArn, offerId);
  }

  public String licenseUpdated(
      Envelope envelope, String buyerAccountId, String agreementId, String licenseArn,
      String offerId) {
    return license(envelope, "License Updated - Manufacturer", buyerAccountId, agreementId,
        licenseArn, offerId);
  }

  /** {@code License Deprovisioned - Manufacturer}, a fresh envelope: no more usage accepted. */
  public String licenseDeprovisioned(
      String buyerAccountId, String agreementId, String licenseArn, String offerId) {
    return licenseDeprovisioned(Envelope.fresh(), buyerAccountId, agreementId, licenseArn,
        offerId);
  }

  public String licenseDeprovisioned(
      Envelope envelope, String buyerAccountId, String agreementId, String licenseArn,
      String offerId) {
    return license(envelope, "License Deprovisioned - Manufacturer", buyerAccountId, agreementId,
        licenseArn, offerId);
  }

  private String license(
      Envelope envelope, String detailType, String buyerAccountId, String agreementId,
      String licenseArn, String offerId) {
    ObjectNode detail = detail(envelope);
    detail.putObject("agreement").put("id", required(agreementId, "agreement id"));
    ObjectNode product = detail.putObject("product");
    product.put("code", productCode);
    product.put("id", productId);
    detail.putObject("license").put("arn", required(licenseArn, "LicenseArn"));
    parties(detail, buyerAccountId, offerId);
    return envelope(envelope, detailType, agreementId, detail);
  }

  // ---- shape

  private static ObjectNode detail(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    ObjectNode detail = JSON.createObjectNode();
    detail.put("requestId", envelope.requestId());
    detail.put("catalog", "AWSMarketplace");
    return detail;
  }

  private void parties(ObjectNode detail, String buyerAccountId, String offerId) {
    detail.putObject("acceptor").put("accountId", account(buyerAccountId, "buyer"));
    detail.putObject("proposer").put("accountId", sellerAccountId);
    detail.putObject("offer").put("id", offerId);
  }

  private String envelope(
      Envelope envelope, String detailType, String agreementId, ObjectNode detail) {
    ObjectNode event = JSON.createObjectNode();
    event.put("version", "0");
    event.put("id", envelope.id());
    event.put("detail-type", detailType);
    event.put("source", SOURCE);
    event.put("account", sellerAccountId);
    event.put("time", envelope.time().toString());
    event.put("region", REGION);
    event.putArray("resources").add("arn:aws:aws-marketplace::aws:agreement:" + agreementId);
    event.set("detail", detail);
    return event.toString();
  }

  private static String account(String value, String whose) {
    if (value == null || !ACCOUNT_ID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "the " + whose + "'s AWS account id must have 12 digits, got " + value);
    }
    return value;
  }

  private static String required(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the event needs a " + what);
    }
    return value;
  }
}
