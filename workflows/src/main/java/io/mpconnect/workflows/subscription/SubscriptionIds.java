package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.ResolvedCustomer;
import java.util.regex.Pattern;

/**
 * Subscription identifiers. One subscription workflow per marketplace customer:
 * {@code subscription-<productCode>-<awsAccountId>}, as AWS keys its customers. A legacy SNS
 * message names the customer only by its CustomerIdentifier: it is mapped to the account first,
 * and while that mapping is unknown it waits in {@link #identifierWorkflowId}.
 *
 * <p>Subscription workflows started before this change were keyed by the CustomerIdentifier when
 * the product had one; they hand their state to the account's workflow (see {@code
 * SubscriptionWorkflowV1Impl}).
 */
public final class SubscriptionIds {
  private static final String PREFIX = "subscription-";
  /** What AWS product codes, customer identifiers and account ids look like; nothing else. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,254}");

  private static final String IDENTIFIER_PREFIX = "customer-identifier-";

  /** The AWS account id when known; else the legacy identifier (a message not mapped yet). */
  public static String customerKey(String customerIdentifier, String awsAccountId) {
    if (awsAccountId != null && !awsAccountId.isBlank()) {
      return awsAccountId.strip();
    }
    if (customerIdentifier != null && !customerIdentifier.isBlank()) {
      return customerIdentifier.strip();
    }
    throw new IllegalArgumentException("a customer needs a customer identifier or an AWS account id");
  }

  public static String customerKey(ResolvedCustomer customer) {
    return customerKey(customer.customerIdentifier(), customer.awsAccountId());
  }

  public static String workflowId(String productCode, String customerKey) {
    if (!isSafe(productCode) || !isSafe(customerKey)) {
      throw new IllegalArgumentException(
          "not a product code and customer key: " + productCode + ", " + customerKey);
    }
    return PREFIX + productCode + "-" + customerKey;
  }

  public static String workflowId(ResolvedCustomer customer) {
    return workflowId(customer.productCode(), customerKey(customer));
  }

  /**
   * The key subscription workflows of the code before licenses used: the CustomerIdentifier when
   * the product had one. Only to find and migrate those workflows.
   */
  public static String legacyCustomerKey(String customerIdentifier, String awsAccountId) {
    if (customerIdentifier != null && !customerIdentifier.isBlank()) {
      return customerIdentifier.strip();
    }
    return customerKey(null, awsAccountId);
  }

  /** Where legacy events of a CustomerIdentifier not yet mapped to an AWS account wait. */
  public static String identifierWorkflowId(String productCode, String customerIdentifier) {
    if (!isSafe(productCode) || !isSafe(customerIdentifier)) {
      throw new IllegalArgumentException(
          "not a product code and customer identifier: " + productCode + ", " + customerIdentifier);
    }
    return IDENTIFIER_PREFIX + productCode + "-" + customerIdentifier;
  }

  /** True for values that may appear in a workflow id (no spaces, no control characters). */
  public static boolean isSafe(String value) {
    return value != null && SAFE.matcher(value).matches();
  }

  private SubscriptionIds() {}
}
