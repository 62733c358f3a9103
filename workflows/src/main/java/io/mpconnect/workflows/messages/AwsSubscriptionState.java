package io.mpconnect.workflows.messages;

/**
 * What AWS last said about a subscription, independent of whether an organization is linked yet.
 * The subscription's {@link SubscriptionStatus} is derived from this and the link.
 */
public enum AwsSubscriptionState {
  /** No lifecycle event yet. */
  NONE,
  SUBSCRIBED,
  FAILED,
  UNSUBSCRIBE_PENDING,
  UNSUBSCRIBED;

  /** The state after a legacy action; null for the current model's events (licenses decide). */
  public static AwsSubscriptionState after(LifecycleAction action) {
    return switch (action) {
      case SUBSCRIBE_SUCCESS -> SUBSCRIBED;
      case SUBSCRIBE_FAIL -> FAILED;
      case UNSUBSCRIBE_PENDING -> UNSUBSCRIBE_PENDING;
      case UNSUBSCRIBE_SUCCESS -> UNSUBSCRIBED;
      default -> null;
    };
  }

  /** What the licenses say, in the terms of the legacy single state (for the view). */
  public static AwsSubscriptionState of(java.util.Collection<License> licenses) {
    boolean ending = false;
    boolean ended = false;
    boolean failed = false;
    for (License license : licenses) {
      switch (license.status()) {
        case USABLE -> {
          return SUBSCRIBED;
        }
        case ENDING -> ending = true;
        case ENDED -> ended = true;
        case FAILED -> failed = true;
        default -> {}
      }
    }
    return ending ? UNSUBSCRIBE_PENDING : ended ? UNSUBSCRIBED : failed ? FAILED : NONE;
  }
}
