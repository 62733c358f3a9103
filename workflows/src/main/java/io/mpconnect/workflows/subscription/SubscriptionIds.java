package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.ResolvedCustomer;
import java.util.regex.Pattern;

/**
 * Subscription identifiers. One subscription workflow per marketplace customer:
 * {@code subscription-<productCode>-<customerKey>}, where the customer key is AWS's legacy
 * CustomerIdentifier for products that still receive one (legacy events name the customer only by
 * it, and may arrive before the registration), else the AWS account id.
 */
public final class SubscriptionIds {
  private static final String PREFIX = "subscription-";
  /** What AWS product codes, customer identifiers and account ids look like; nothing else. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,254}");

  public static String customerKey(String customerIdentifier, String awsAccountId) {
    if (customerIdentifier != null && !customerIdentifier.isBlank()) {
      return customerIdentifier.strip();
    }
    if (awsAccountId != null && !awsAccountId.isBlank()) {
      return awsAccountId.strip();
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

  /** True for values that may appear in a workflow id (no spaces, no control characters). */
  public static boolean isSafe(String value) {
    return value != null && SAFE.matcher(value).matches();
  }

  private SubscriptionIds() {}
}
