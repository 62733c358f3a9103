package io.mpconnect.workflows.messages;

/** The marketplace subscription's state; upserted as the SubscriptionStatus search attribute. */
public enum SubscriptionStatus {
  PENDING,
  ACTIVE,
  UNSUBSCRIBE_PENDING,
  UNSUBSCRIBED,
  FAILED
}
