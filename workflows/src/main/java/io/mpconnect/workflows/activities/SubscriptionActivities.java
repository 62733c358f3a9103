package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.SubscriptionLicenses;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionTransition;
import io.mpconnect.workflows.messages.TransitionResult;
import io.temporal.activity.ActivityInterface;

/** A subscription's effects in PostgreSQL. Every method is idempotent. */
@ActivityInterface
public interface SubscriptionActivities {
  /**
   * Writes a status change: the link's status, the organization's plan and billing provider, and
   * the audit log, in one transaction. Fails with {@link FailureTypes#INVALID_INPUT} when the
   * transition can never apply (e.g. the organization no longer exists).
   */
  TransitionResult applyTransition(SubscriptionTransition transition);

  /**
   * The link the database holds for this customer (by customer identifier or AWS account id), or
   * null. Lets a subscription find links made before it existed, or whose link signal is late.
   */
  SubscriptionLink findLink(String productCode, String customerKey);

  /**
   * Stores the customer's licenses (one row per license, keyed by product code, account and
   * license key), replacing what an older {@code sequence} wrote. Idempotent.
   */
  void saveLicenses(SubscriptionLicenses licenses);

  /** The AWS account of a legacy CustomerIdentifier, or null while no registration named it. */
  String accountOfIdentifier(String productCode, String customerIdentifier);

  /** Writes the notice to the outbox for every owner of the organization (once per owner). */
  void notifyOwners(SubscriptionNotice notice);
}
