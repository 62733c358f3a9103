package io.mpconnect.persistence;

/** Who bills the organization. Add a value together with a migration widening the CHECK. */
public enum BillingProvider {
  NONE,
  AWS_MARKETPLACE
}
