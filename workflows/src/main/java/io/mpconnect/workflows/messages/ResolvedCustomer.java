package io.mpconnect.workflows.messages;

/**
 * The customer as AWS resolved the registration token.
 *
 * @param customerIdentifier AWS's legacy CustomerIdentifier; null for products that no longer get one
 */
public record ResolvedCustomer(String productCode, String awsAccountId, String customerIdentifier) {}
