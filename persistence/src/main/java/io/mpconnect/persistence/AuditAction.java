package io.mpconnect.persistence;

/** What an audit row records. */
public enum AuditAction {
  ORGANIZATION_CREATED,
  LINKED,
  PLAN_CHANGED,
  /** A marketplace subscription's status changed (details: from, to, cause, customerKey). */
  SUBSCRIPTION_STATUS_CHANGED
}
