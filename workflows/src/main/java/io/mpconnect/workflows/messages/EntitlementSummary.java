package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * What one GetEntitlements read found for one license, as the subscription workflow needs it (the
 * entitlements themselves are stored in PostgreSQL, table {@code marketplace_entitlements}).
 *
 * @param licenseArn the license read (filter LICENSE_ARN), or null for the whole account (a legacy
 *     listing's implicit license)
 * @param entitlements how many entitlements AWS returned (all pages)
 * @param latestExpiry the latest ExpirationDate among them, or null when none has one
 * @param anyWithoutExpiry true when at least one entitlement has no ExpirationDate (never expires)
 * @param readAt when the activity read them
 */
public record EntitlementSummary(
    String licenseArn,
    int entitlements,
    Instant latestExpiry,
    boolean anyWithoutExpiry,
    Instant readAt) {

  /**
   * When every entitlement of the license has expired (the latest ExpirationDate), or null when
   * that never happens on what was read: no entitlement, or one without an ExpirationDate.
   */
  public Instant allExpireAt() {
    return entitlements > 0 && !anyWithoutExpiry ? latestExpiry : null;
  }
}
