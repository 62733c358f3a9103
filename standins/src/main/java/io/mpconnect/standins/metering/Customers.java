package io.mpconnect.standins.metering;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registration tokens and the customers they resolve to, as ResolveCustomer and BatchMeterUsage
 * see them. Not thread-safe: {@link MeteringStandIn} guards it.
 */
final class Customers {
  record Customer(String productCode, String awsAccountId, String customerIdentifier) {}

  private static final Pattern DEMO_TOKEN = Pattern.compile("demo-(\\d{12})(-.*)?");
  private static final Pattern DEMO_WRONG_PRODUCT_TOKEN =
      Pattern.compile("demo-wrongproduct-(\\d{12})(-.*)?");
  private static final Pattern DEMO_CUSTOMER_IDENTIFIER = Pattern.compile("cust-(\\d{12})");
  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

  private final String vendorProductCode;
  private final Map<String, Customer> registeredTokens = new HashMap<>();
  private final Set<String> expiredTokens = new HashSet<>();
  private final Set<String> productCodes = new HashSet<>();
  private final Map<String, String> accountByIdentifier = new HashMap<>();
  private final Set<String> unsubscribedAccounts = new HashSet<>();

  Customers(String vendorProductCode) {
    this.vendorProductCode = vendorProductCode;
    productCodes.add(vendorProductCode);
  }

  static String demoCustomerIdentifier(String awsAccountId) {
    return "cust-" + awsAccountId;
  }

  static boolean isAccountId(String value) {
    return value != null && ACCOUNT_ID.matcher(value).matches();
  }

  void register(String token, Customer customer) {
    registeredTokens.put(token, customer);
    expiredTokens.remove(token);
    productCodes.add(customer.productCode());
    remember(customer);
  }

  void expire(String token) {
    expiredTokens.add(token);
  }

  Customer resolve(String token) {
    if (token == null || token.isBlank()) {
      throw new MeteringError("InvalidTokenException", "Registration token is missing");
    }
    if (expiredTokens.contains(token) || token.startsWith("expired-")) {
      throw new MeteringError("ExpiredTokenException", "Registration token is expired");
    }
    Customer customer = registeredTokens.get(token);
    if (customer == null) {
      customer = demoCustomer(token);
    }
    if (customer == null) {
      throw new MeteringError("InvalidTokenException", "Registration token is invalid");
    }
    remember(customer);
    return customer;
  }

  private Customer demoCustomer(String token) {
    Matcher wrong = DEMO_WRONG_PRODUCT_TOKEN.matcher(token);
    if (wrong.matches()) {
      String account = wrong.group(1);
      return new Customer(
          MeteringStandIn.OTHER_PRODUCT_CODE, account, demoCustomerIdentifier(account));
    }
    Matcher demo = DEMO_TOKEN.matcher(token);
    if (demo.matches()) {
      String account = demo.group(1);
      return new Customer(vendorProductCode, account, demoCustomerIdentifier(account));
    }
    return null;
  }

  private void remember(Customer customer) {
    if (customer.customerIdentifier() != null) {
      accountByIdentifier.put(customer.customerIdentifier(), customer.awsAccountId());
    }
  }

  boolean meters(String productCode) {
    return productCodes.contains(productCode);
  }

  /**
   * The account behind a customer identifier or account id, or null if AWS would not know it.
   * Demo identifiers ({@code cust-<account>}) are known without a prior ResolveCustomer, so the
   * developer mode can meter customers after a restart of the stand-in.
   */
  String accountOf(String customer) {
    if (isAccountId(customer)) {
      return customer;
    }
    String account = accountByIdentifier.get(customer);
    if (account == null && customer != null) {
      Matcher demo = DEMO_CUSTOMER_IDENTIFIER.matcher(customer);
      account = demo.matches() ? demo.group(1) : null;
    }
    return account;
  }

  void setSubscribed(String customer, boolean subscribed) {
    String account = accountOf(customer);
    if (account == null) {
      throw new IllegalArgumentException("unknown customer: " + customer);
    }
    if (subscribed) {
      unsubscribedAccounts.remove(account);
    } else {
      unsubscribedAccounts.add(account);
    }
  }

  boolean isSubscribed(String account) {
    return !unsubscribedAccounts.contains(account);
  }

  void clear() {
    registeredTokens.clear();
    expiredTokens.clear();
    accountByIdentifier.clear();
    unsubscribedAccounts.clear();
    productCodes.clear();
    productCodes.add(vendorProductCode);
  }
}
