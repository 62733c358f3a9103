package io.mpconnect.workflows.messages;

import java.util.Locale;

/**
 * How the listing is priced ({@code MARKETPLACE_PRICING}). Contract listings (with or without
 * consumption) read the customer's entitlements with GetEntitlements; usage listings never do.
 * Contracts with consumption meter their overage as usage listings do.
 */
public enum MarketplacePricing {
  USAGE("usage"),
  CONTRACT("contract"),
  CONTRACT_WITH_CONSUMPTION("contract-with-consumption");

  private final String setting;

  MarketplacePricing(String setting) {
    this.setting = setting;
  }

  public String setting() {
    return setting;
  }

  /** True for the contract listings, whose entitlements are read from AWS. */
  public boolean contract() {
    return this != USAGE;
  }

  /**
   * The pricing of a setting value ({@code usage}, {@code contract}, {@code
   * contract-with-consumption}, case-insensitive); blank is {@link #USAGE}.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static MarketplacePricing fromSetting(String value) {
    if (value == null || value.isBlank()) {
      return USAGE;
    }
    String normalized = value.strip().toLowerCase(Locale.ROOT);
    for (MarketplacePricing pricing : values()) {
      if (pricing.setting.equals(normalized)) {
        return pricing;
      }
    }
    throw new IllegalArgumentException(
        "MARKETPLACE_PRICING must be usage, contract or contract-with-consumption, not \""
            + value.strip() + "\"");
  }
}
