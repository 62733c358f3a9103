package io.mpconnect.workflows.shared;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/** The custom search attributes support staff filter by in the Temporal UI. All Keyword. */
public final class SearchAttributes {
  public static final SearchAttributeKey<String> MARKETPLACE_ACCOUNT_ID =
      SearchAttributeKey.forKeyword("MarketplaceAccountId");
  public static final SearchAttributeKey<String> MARKETPLACE_CUSTOMER_ID =
      SearchAttributeKey.forKeyword("MarketplaceCustomerId");
  public static final SearchAttributeKey<String> MARKETPLACE_PRODUCT_CODE =
      SearchAttributeKey.forKeyword("MarketplaceProductCode");
  public static final SearchAttributeKey<String> ONBOARDING_STEP =
      SearchAttributeKey.forKeyword("OnboardingStep");
  public static final SearchAttributeKey<String> ONBOARDING_OUTCOME =
      SearchAttributeKey.forKeyword("OnboardingOutcome");
  public static final SearchAttributeKey<String> ORGANIZATION_ID =
      SearchAttributeKey.forKeyword("OrganizationId");
  public static final SearchAttributeKey<String> SUBSCRIPTION_STATUS =
      SearchAttributeKey.forKeyword("SubscriptionStatus");

  /** Every key, for registering them on a server (dev server flags, test environments). */
  public static final List<SearchAttributeKey<String>> ALL =
      List.of(
          MARKETPLACE_ACCOUNT_ID,
          MARKETPLACE_CUSTOMER_ID,
          MARKETPLACE_PRODUCT_CODE,
          ONBOARDING_STEP,
          ONBOARDING_OUTCOME,
          ORGANIZATION_ID,
          SUBSCRIPTION_STATUS);

  private SearchAttributes() {}
}
