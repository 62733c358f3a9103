package io.mpconnect.workflows.messages;

/**
 * The customer as AWS resolved the registration token.
 *
 * @param customerIdentifier AWS's legacy CustomerIdentifier; null for products that no longer get one
 * @param licenseArn the entitlement this registration is for, on AWS's current model (Concurrent
 *     Agreements); null on legacy listings and in histories recorded before it was read
 */
public record ResolvedCustomer(
    String productCode, String awsAccountId, String customerIdentifier, String licenseArn) {

  public ResolvedCustomer(String productCode, String awsAccountId, String customerIdentifier) {
    this(productCode, awsAccountId, customerIdentifier, null);
  }
}
