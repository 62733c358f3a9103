package io.mpconnect.workflows.messages;

import java.util.Locale;

/**
 * The AWS Marketplace subscription lifecycle actions the product acts on, with their names on the
 * wire (the legacy SNS message's {@code action} field).
 */
public enum LifecycleAction {
  SUBSCRIBE_SUCCESS("subscribe-success"),
  SUBSCRIBE_FAIL("subscribe-fail"),
  UNSUBSCRIBE_PENDING("unsubscribe-pending"),
  UNSUBSCRIBE_SUCCESS("unsubscribe-success");

  private final String wireName;

  LifecycleAction(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The action of a wire name (case-insensitive), or null when it is not one of these. */
  public static LifecycleAction fromWireName(String name) {
    if (name == null) {
      return null;
    }
    String normalized = name.strip().toLowerCase(Locale.ROOT);
    for (LifecycleAction action : values()) {
      if (action.wireName.equals(normalized)) {
        return action;
      }
    }
    return null;
  }
}
