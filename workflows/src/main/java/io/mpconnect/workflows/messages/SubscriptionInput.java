package io.mpconnect.workflows.messages;

/**
 * Input of a subscription workflow run. Every sender starts it the same way (signal-with-start with
 * {@link #fresh}); a continue-as-new hands the state on in {@code carried}.
 *
 * @param carried the previous run's state, or null for the first run
 * @param continueAsNewAfter inputs handled per run before continuing as new; 0 for the default
 */
public record SubscriptionInput(
    String productCode, String customerKey, SubscriptionSnapshot carried, int continueAsNewAfter) {

  public static SubscriptionInput fresh(String productCode, String customerKey) {
    return new SubscriptionInput(productCode, customerKey, null, 0);
  }
}
