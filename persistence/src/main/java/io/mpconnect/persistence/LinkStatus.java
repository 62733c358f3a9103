package io.mpconnect.persistence;

/**
 * The marketplace subscription state stored on a link (column subscription_status). Same names as
 * the workflows' SubscriptionStatus, kept separate so the schema does not depend on Temporal code.
 */
public enum LinkStatus {
  PENDING,
  ACTIVE,
  UNSUBSCRIBE_PENDING,
  UNSUBSCRIBED,
  FAILED
}
