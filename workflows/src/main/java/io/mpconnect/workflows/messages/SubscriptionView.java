package io.mpconnect.workflows.messages;

import java.time.Instant;
import java.util.List;

/**
 * A subscription as support and the sign-up page see it (the subscription workflow's query).
 *
 * @param organizationId null until an organization is linked
 * @param plan the linked organization's plan as of the last transition, or null
 * @param lastAction the last lifecycle action applied, or null
 * @param lastEventAt when AWS sent the last event applied, or null
 * @param lastError why the last database transition failed for good, or null
 * @param licenses the customer's licenses (one implicit license on a legacy listing); empty on
 *     subscriptions of the code before licenses
 */
public record SubscriptionView(
    String workflowId,
    String productCode,
    String customerKey,
    String customerIdentifier,
    String awsAccountId,
    String organizationId,
    String organizationName,
    SubscriptionStatus status,
    AwsSubscriptionState awsState,
    String plan,
    LifecycleAction lastAction,
    Instant lastEventAt,
    long eventsApplied,
    long duplicatesIgnored,
    long staleIgnored,
    String lastError,
    List<License> licenses) {

  public SubscriptionView {
    licenses = licenses == null ? List.of() : List.copyOf(licenses);
  }

  /** True while at least one license is usable: the organization is on the paid plan. */
  public boolean anyUsable() {
    return licenses.stream().anyMatch(l -> l.status() == LicenseStatus.USABLE);
  }
}
