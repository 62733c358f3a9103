package io.mpconnect.standins.metering;

/**
 * A customer as the stand-in's ResolveCustomer answers it, in one of AWS's two models.
 *
 * <ul>
 *   <li>Current model (Concurrent Agreements, every SaaS listing since 2026-06-01): {@code
 *       licenseArn} names the agreement (entitlement) the registration is for; {@code
 *       customerIdentifier} is null, AWS no longer populates it.
 *   <li>Legacy model: {@code customerIdentifier} is set and {@code licenseArn} is null.
 * </ul>
 *
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null
 * @param licenseArn the LicenseArn of the current model, or null
 */
public record MarketplaceCustomer(
    String productCode, String awsAccountId, String customerIdentifier, String licenseArn) {

  /** True on AWS's current model: the answer carries a LicenseArn. */
  public boolean currentModel() {
    return licenseArn != null;
  }
}
