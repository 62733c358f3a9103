package io.mpconnect.standins.metering;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A usage record AWS accepted and would bill: at most one per (product, customer, license,
 * dimension, hour), as AWS de-duplicates on the current model (account + LicenseArn + dimension +
 * hour).
 *
 * @param customerIdentifier the legacy identifier if the record named the customer by it, else null
 * @param customerAwsAccountId the customer's account, also when the record named the identifier
 * @param licenseArn the LicenseArn the record carried (AWS's current model), or null
 * @param timestamp the timestamp of the first accepted submission, as sent
 * @param allocations the tag allocations as sent (empty when none)
 */
public record MeteredRecord(
    String productCode,
    String customerIdentifier,
    String customerAwsAccountId,
    String licenseArn,
    String dimension,
    Instant timestamp,
    int quantity,
    String meteringRecordId,
    List<Allocation> allocations) {

  public record Allocation(int quantity, Map<String, String> tags) {}
}
