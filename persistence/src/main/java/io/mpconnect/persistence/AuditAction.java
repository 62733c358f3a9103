package io.mpconnect.persistence;

/** What an audit row records. */
public enum AuditAction {
  ORGANIZATION_CREATED,
  LINKED,
  PLAN_CHANGED
}
