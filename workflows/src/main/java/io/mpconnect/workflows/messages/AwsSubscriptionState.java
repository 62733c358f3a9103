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

  public static AwsSubscriptionState after(LifecycleAction action) {
    return switch (action) {
      case SUBSCRIBE_SUCCESS -> SUBSCRIBED;
      case SUBSCRIBE_FAIL -> FAILED;
      case UNSUBSCRIBE_PENDING -> UNSUBSCRIBE_PENDING;
      case UNSUBSCRIBE_SUCCESS -> UNSUBSCRIBED;
    };
  }
}
