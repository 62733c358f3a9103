package io.mpconnect.persistence;

import java.time.Instant;
import java.util.UUID;

/** The link of one AWS customer to one organization, with the subscription's state. */
public record MarketplaceLink(
    String productCode,
    String awsAccountId,
    String customerIdentifier,
    UUID organizationId,
    String linkedByOnboarding,
    Instant linkedAt,
    LinkStatus subscriptionStatus,
    Instant statusChangedAt) {

  public boolean isFor(String productCode, String awsAccountId) {
    return this.productCode.equals(productCode) && this.awsAccountId.equals(awsAccountId);
  }
}
