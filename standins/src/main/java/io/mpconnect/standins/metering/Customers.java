package io.mpconnect.standins.metering;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registration tokens and the customers they resolve to, as ResolveCustomer and BatchMeterUsage
 * see them. Not thread-safe: {@link MeteringStandIn} guards it.
 */
final class Customers {
  /**
   * The account in the stand-in's LicenseArns. AWS Marketplace's licenses live in License
   * Manager under an account that is not the buyer's; any fixed 12 digits serve here.
   */
  static final String LICENSE_ACCOUNT = "999988887777";

  private static final Pattern DEMO_TOKEN = Pattern.compile("demo-(\\d{12})(-.*)?");
  private static final Pattern LEGACY_TOKEN = Pattern.compile("legacy-(\\d{12})(-.*)?");
  private static final Pattern DEMO_WRONG_PRODUCT_TOKEN =
      Pattern.compile("demo-wrongproduct-(\\d{12})(-.*)?");
  private static final Pattern DEMO_CUSTOMER_IDENTIFIER = Pattern.compile("cust-(\\d{12})");
  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  /** The shape of the stand-in's own LicenseArns ({@link #demoLicenseArn}). */
  private static final Pattern DEMO_LICENSE_ARN =
      Pattern.compile("arn:aws:license-manager::" + LICENSE_ACCOUNT + ":license:l-[0-9a-f]{32}");

  private final String vendorProductCode;
  private final Map<String, MarketplaceCustomer> registeredTokens = new HashMap<>();
  private final Set<String> expiredTokens = new HashSet<>();
  private final Set<String> productCodes = new HashSet<>();
  private final Map<String, String> accountByIdentifier = new HashMap<>();
  private final Set<String> unsubscribedAccounts = new HashSet<>();
  /** LicenseArns registered for one account (a registered token's, or {@link #registerLicense}). */
  private final Map<String, String> accountByLicense = new HashMap<>();
  private final Set<String> poisonedLicenses = new HashSet<>();
  private final Set<String> unsubscribedLicenses = new HashSet<>();
  private final Map<String, String> refusalByAccount = new HashMap<>();

  Customers(String vendorProductCode) {
    this.vendorProductCode = vendorProductCode;
    productCodes.add(vendorProductCode);
  }

  static String demoCustomerIdentifier(String awsAccountId) {
    return "cust-" + awsAccountId;
  }

  /**
   * The LicenseArn a current-model demo token resolves to: derived from the whole token, so the
   * same token always gives the same license and every other token (a new click, a new
   * agreement) another one.
   */
  static String demoLicenseArn(String token) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("license:" + token).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    return "arn:aws:license-manager::"
        + LICENSE_ACCOUNT
        + ":license:l-"
        + HexFormat.of().formatHex(digest, 0, 16);
  }

  /** True for tokens that resolve on AWS's current model without being registered. */
  static boolean isCurrentModelDemoToken(String token) {
    return token != null
        && (DEMO_TOKEN.matcher(token).matches()
            || DEMO_WRONG_PRODUCT_TOKEN.matcher(token).matches());
  }

  static boolean isAccountId(String value) {
    return value != null && ACCOUNT_ID.matcher(value).matches();
  }

  void register(String token, MarketplaceCustomer customer) {
    registeredTokens.put(token, customer);
    expiredTokens.remove(token);
    productCodes.add(customer.productCode());
    remember(customer);
  }

  void expire(String token) {
    expiredTokens.add(token);
  }

  MarketplaceCustomer resolve(String token) {
    if (token == null || token.isBlank()) {
      throw new MeteringError("InvalidTokenException", "Registration token is missing");
    }
    if (expiredTokens.contains(token) || token.startsWith("expired-")) {
      throw new MeteringError("ExpiredTokenException", "Registration token is expired");
    }
    MarketplaceCustomer customer = registeredTokens.get(token);
    if (customer == null) {
      customer = demoCustomer(token);
    }
    if (customer == null) {
      throw new MeteringError("InvalidTokenException", "Registration token is invalid");
    }
    remember(customer);
    return customer;
  }

  /**
   * {@code demo-...} tokens resolve on the current model (a LicenseArn, no CustomerIdentifier),
   * {@code legacy-...} tokens on the legacy model (a CustomerIdentifier, no LicenseArn).
   */
  private MarketplaceCustomer demoCustomer(String token) {
    Matcher wrong = DEMO_WRONG_PRODUCT_TOKEN.matcher(token);
    if (wrong.matches()) {
      return new MarketplaceCustomer(
          MeteringStandIn.OTHER_PRODUCT_CODE, wrong.group(1), null, demoLicenseArn(token));
    }
    Matcher demo = DEMO_TOKEN.matcher(token);
    if (demo.matches()) {
      return new MarketplaceCustomer(vendorProductCode, demo.group(1), null, demoLicenseArn(token));
    }
    Matcher legacy = LEGACY_TOKEN.matcher(token);
    if (legacy.matches()) {
      String account = legacy.group(1);
      return new MarketplaceCustomer(
          vendorProductCode, account, demoCustomerIdentifier(account), null);
    }
    return null;
  }

  private void remember(MarketplaceCustomer customer) {
    if (customer.customerIdentifier() != null) {
      accountByIdentifier.put(customer.customerIdentifier(), customer.awsAccountId());
    }
    if (customer.licenseArn() != null) {
      accountByLicense.put(customer.licenseArn(), customer.awsAccountId());
    }
  }

  void registerLicense(String awsAccountId, String licenseArn) {
    if (!isAccountId(awsAccountId) || licenseArn == null || licenseArn.isBlank()) {
      throw new IllegalArgumentException("an account (12 digits) and a LicenseArn");
    }
    accountByLicense.put(licenseArn, awsAccountId);
  }

  void poisonLicense(String licenseArn) {
    poisonedLicenses.add(licenseArn);
  }

  /**
   * Whether AWS would accept {@code licenseArn} on a record of {@code account}: registered for
   * that account, or of the stand-in's own shape (demo tokens' licenses, known without a prior
   * ResolveCustomer so the developer mode meters after a restart), and not poisoned.
   */
  boolean licenseValid(String licenseArn, String account) {
    if (poisonedLicenses.contains(licenseArn)) {
      return false;
    }
    String owner = accountByLicense.get(licenseArn);
    if (owner != null) {
      return owner.equals(account);
    }
    return DEMO_LICENSE_ARN.matcher(licenseArn).matches();
  }

  void refuseRecordsOf(String account, String errorType) {
    if (errorType == null) {
      refusalByAccount.remove(account);
    } else {
      refusalByAccount.put(account, errorType);
    }
  }

  String refusalFor(String account) {
    return refusalByAccount.get(account);
  }

  void setLicenseSubscribed(String licenseArn, boolean subscribed) {
    if (subscribed) {
      unsubscribedLicenses.remove(licenseArn);
    } else {
      unsubscribedLicenses.add(licenseArn);
    }
  }

  boolean isSubscribed(String account, String licenseArn) {
    return isSubscribed(account)
        && (licenseArn == null || !unsubscribedLicenses.contains(licenseArn));
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
    accountByLicense.clear();
    poisonedLicenses.clear();
    unsubscribedLicenses.clear();
    refusalByAccount.clear();
    productCodes.clear();
    productCodes.add(vendorProductCode);
  }
}
