package io.mpconnect.persistence;

import java.time.Instant;

/**
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null
 */
public record MarketplaceCustomer(
    String productCode, String awsAccountId, String customerIdentifier, Instant firstSeenAt) {}
