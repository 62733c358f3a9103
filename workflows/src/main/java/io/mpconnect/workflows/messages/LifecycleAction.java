package io.mpconnect.workflows.messages;

import java.util.Locale;

/**
 * The AWS Marketplace lifecycle events the product acts on. The first five are the legacy SNS
 * actions (their {@code action} field on the wire); the others are the EventBridge events of AWS's
 * current model (Concurrent Agreements), named by their {@code detail-type} without the role
 * suffix ({@code - Proposer}, {@code - Manufacturer}).
 */
public enum LifecycleAction {
  SUBSCRIBE_SUCCESS("subscribe-success", true),
  SUBSCRIBE_FAIL("subscribe-fail", true),
  UNSUBSCRIBE_PENDING("unsubscribe-pending", true),
  UNSUBSCRIBE_SUCCESS("unsubscribe-success", true),
  /**
   * SNS entitlement topic (contract listings): the customer's entitlements changed; re-read them
   * with GetEntitlements. Changes no license status by itself.
   */
  ENTITLEMENT_UPDATED("entitlement-updated", true),
  /** Purchase Agreement Created: records the agreement and its offer (intent NEW, RENEW, REPLACE). */
  AGREEMENT_CREATED("purchase-agreement-created", false),
  /** Purchase Agreement Amended: recorded. */
  AGREEMENT_AMENDED("purchase-agreement-amended", false),
  /** Purchase Agreement Ended: CANCELLED, EXPIRED, TERMINATED open the final hour; RENEWED, REPLACED do not. */
  AGREEMENT_ENDED("purchase-agreement-ended", false),
  /** License Updated: the license is usable (meterable). */
  LICENSE_UPDATED("license-updated", false),
  /** License Deprovisioned: AWS accepts no more usage for the license. */
  LICENSE_DEPROVISIONED("license-deprovisioned", false);

  private final String wireName;
  private final boolean legacy;

  LifecycleAction(String wireName, boolean legacy) {
    this.wireName = wireName;
    this.legacy = legacy;
  }

  public String wireName() {
    return wireName;
  }

  /** True for the legacy SNS actions, which name the customer by CustomerIdentifier. */
  public boolean legacy() {
    return legacy;
  }

  /**
   * The legacy SNS action of a wire name (case-insensitive), or null when it is not one. The
   * EventBridge events are never read from an SNS {@code action} field.
   */
  public static LifecycleAction fromWireName(String name) {
    if (name == null) {
      return null;
    }
    String normalized = name.strip().toLowerCase(Locale.ROOT);
    for (LifecycleAction action : values()) {
      if (action.legacy && action.wireName.equals(normalized)) {
        return action;
      }
    }
    return null;
  }
}
