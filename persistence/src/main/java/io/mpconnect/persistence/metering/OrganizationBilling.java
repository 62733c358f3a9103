package io.mpconnect.persistence.metering;

import java.util.UUID;

/**
 * How an organization is billed, as usage intake needs it.
 *
 * @param customer the AWS customer it is linked to, or null when it has no marketplace link
 * @param subscriptionStatus the link's status (PENDING, ACTIVE, UNSUBSCRIBE_PENDING, ...), or null
 */
public record OrganizationBilling(UUID organizationId, CustomerKey customer, String subscriptionStatus) {
  /** Usage is billed through AWS while the subscription is active or its last hour runs. */
  public boolean billedThroughAws() {
    return "ACTIVE".equals(subscriptionStatus) || "UNSUBSCRIBE_PENDING".equals(subscriptionStatus);
  }
}
