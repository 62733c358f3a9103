package io.mpconnect.api.web;

/**
 * The one wording, on every page, of how an organization is billed while AWS has not confirmed
 * its subscription: it stays on its plan until then, so "billed through AWS" alone would not be
 * true yet, and "free plan" would hide that it is connected.
 */
public final class BillingWording {
  /** For the middle of a sentence. */
  public static final String ONCE_AWS_CONFIRMS =
      "billed through AWS Marketplace once AWS confirms your subscription";
  /** On its own. */
  public static final String ONCE_AWS_CONFIRMS_SENTENCE =
      "Billed through AWS Marketplace once AWS confirms your subscription";

  private BillingWording() {}
}
