package io.mpconnect.standins.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * BatchMeterUsage semantics: whole-call validation, then per-record results against the ledger
 * of accepted records. Not thread-safe: {@link MeteringStandIn} guards it.
 */
final class UsageLedger {
  static final int MAX_RECORDS = 25;
  /** AWS rejects usage from the future; a little skew keeps honest clocks out of trouble. */
  static final Duration FUTURE_SKEW = Duration.ofMinutes(5);

  /** A usage record that passed validation; {@code source} is echoed back in the results. */
  record Usage(
      JsonNode source,
      String customerIdentifier,
      String account,
      String licenseArn,
      String dimension,
      Instant timestamp,
      int quantity,
      List<MeteredRecord.Allocation> allocations) {}

  /**
   * AWS de-duplicates on the account, the license (current model), the dimension and the usage
   * hour, not the exact timestamp.
   */
  private record Key(
      String productCode, String account, String licenseArn, String dimension, Instant hour) {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Map<Key, MeteredRecord> accepted = new LinkedHashMap<>();

  List<MeteredRecord> records() {
    return List.copyOf(accepted.values());
  }

  void clear() {
    accepted.clear();
  }

  /**
   * Checks what makes AWS refuse the whole call; one bad record fails every record, as it does
   * on AWS.
   */
  List<Usage> validate(
      JsonNode request,
      Customers customers,
      Instant now,
      Duration window,
      Set<String> allowedDimensions) {
    String productCode = text(request, "ProductCode");
    if (productCode == null) {
      throw validation("'productCode' must not be null");
    }
    JsonNode records = request.path("UsageRecords");
    if (!records.isArray()) {
      throw validation("'usageRecords' must not be null");
    }
    if (records.size() > MAX_RECORDS) {
      throw validation(
          "Value at 'usageRecords' failed to satisfy constraint: Member must have length less"
              + " than or equal to "
              + MAX_RECORDS);
    }
    if (!customers.meters(productCode)) {
      throw new MeteringError("InvalidProductCodeException", "Unknown product code " + productCode);
    }
    List<Usage> usages = new ArrayList<>();
    for (JsonNode record : records) {
      usages.add(validateRecord(record, customers, now, window, allowedDimensions));
    }
    return usages;
  }

  private Usage validateRecord(
      JsonNode record,
      Customers customers,
      Instant now,
      Duration window,
      Set<String> allowedDimensions) {
    String dimension = text(record, "Dimension");
    if (dimension == null) {
      throw validation("'dimension' must not be null");
    }
    Instant timestamp = timestamp(record.get("Timestamp"));
    if (timestamp.isBefore(now.minus(window)) || timestamp.isAfter(now.plus(FUTURE_SKEW))) {
      throw new MeteringError(
          "TimestampOutOfBoundsException",
          "Timestamp " + timestamp + " is outside the allowed window of " + window);
    }
    long quantity = record.path("Quantity").asLong(0);
    if (quantity < 0 || quantity > Integer.MAX_VALUE) {
      throw validation("'quantity' must be between 0 and " + Integer.MAX_VALUE);
    }
    if (allowedDimensions != null && !allowedDimensions.contains(dimension)) {
      throw new MeteringError(
          "InvalidUsageDimensionException", "Dimension " + dimension + " is not in the listing");
    }
    String identifier = text(record, "CustomerIdentifier");
    String accountField = text(record, "CustomerAWSAccountId");
    String licenseArn = text(record, "LicenseArn");
    if ((identifier == null) == (accountField == null)) {
      throw validation("exactly one of CustomerIdentifier and CustomerAWSAccountId is required");
    }
    if (licenseArn != null && identifier != null) {
      throw validation("LicenseArn requires CustomerAWSAccountId, not CustomerIdentifier");
    }
    String account = customers.accountOf(identifier != null ? identifier : accountField);
    if (account == null) {
      throw new MeteringError(
          "InvalidCustomerIdentifierException",
          "Unknown customer " + (identifier != null ? identifier : accountField));
    }
    String refusal = customers.refusalFor(account);
    if (refusal != null) {
      throw new MeteringError(refusal, "Refused a record of customer " + account);
    }
    if (licenseArn != null && !customers.licenseValid(licenseArn, account)) {
      throw new MeteringError(
          "InvalidLicenseException",
          "The LicenseArn " + licenseArn + " is not valid for customer " + account);
    }
    List<MeteredRecord.Allocation> allocations = allocations(record.path("UsageAllocations"));
    if (!allocations.isEmpty()
        && allocations.stream().mapToLong(MeteredRecord.Allocation::quantity).sum() != quantity) {
      throw new MeteringError(
          "InvalidUsageAllocationsException", "Usage allocations must add up to the quantity");
    }
    return new Usage(
        record, identifier, account, licenseArn, dimension, timestamp, (int) quantity,
        allocations);
  }

  /** Records the usage unless a record for the same hour stands, and says what AWS would say. */
  ObjectNode meter(String productCode, Usage usage, boolean subscribed) {
    ObjectNode result = JSON.objectNode();
    result.set("UsageRecord", usage.source().deepCopy());
    if (!subscribed) {
      return result.put("Status", "CustomerNotSubscribed");
    }
    Key key =
        new Key(
            productCode,
            usage.account(),
            usage.licenseArn(),
            usage.dimension(),
            usage.timestamp().truncatedTo(ChronoUnit.HOURS));
    MeteredRecord standing = accepted.get(key);
    if (standing == null) {
      standing =
          new MeteredRecord(
              productCode,
              usage.customerIdentifier(),
              usage.account(),
              usage.licenseArn(),
              usage.dimension(),
              usage.timestamp(),
              usage.quantity(),
              UUID.randomUUID().toString(),
              usage.allocations());
      accepted.put(key, standing);
    } else if (standing.quantity() != usage.quantity()) {
      return result.put("Status", "DuplicateRecord");
    }
    return result.put("MeteringRecordId", standing.meteringRecordId()).put("Status", "Success");
  }

  /** The JSON 1.1 protocol sends timestamps as epoch seconds, a number with a fraction. */
  static Instant timestamp(JsonNode node) {
    if (node == null || node.isNull()) {
      throw validation("'timestamp' must not be null");
    }
    try {
      BigDecimal seconds =
          node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText().trim());
      long whole = seconds.longValue();
      int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
      return Instant.ofEpochSecond(whole, nanos);
    } catch (NumberFormatException | ArithmeticException e) {
      try {
        return Instant.parse(node.asText());
      } catch (DateTimeParseException notIso) {
        throw new MeteringError("SerializationException", "Cannot read timestamp " + node);
      }
    }
  }

  private static List<MeteredRecord.Allocation> allocations(JsonNode node) {
    List<MeteredRecord.Allocation> allocations = new ArrayList<>();
    for (JsonNode allocation : node) {
      Map<String, String> tags = new TreeMap<>();
      for (JsonNode tag : allocation.path("Tags")) {
        tags.put(tag.path("Key").asText(), tag.path("Value").asText());
      }
      allocations.add(
          new MeteredRecord.Allocation(
              allocation.path("AllocatedUsageQuantity").asInt(0), Map.copyOf(tags)));
    }
    return List.copyOf(allocations);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static MeteringError validation(String message) {
    return new MeteringError("ValidationException", "1 validation error detected: " + message);
  }
}
