package io.mpconnect.workflows.messages;

/**
 * Where one license (one agreement; a legacy listing's subscription is one implicit license)
 * stands. The order is the order of its life: on the current model a license only moves forward,
 * so events applied out of order reach the same state.
 */
public enum LicenseStatus {
  /** Known (agreement created, or registered), not usable yet. */
  PENDING,
  /** Usable and billed: License Updated, or subscribe-success. */
  USABLE,
  /** Ended (Purchase Agreement Ended, unsubscribe-pending): its final metering hour is open. */
  ENDING,
  /** Revoked (License Deprovisioned, unsubscribe-success): nothing more is metered. */
  ENDED,
  /** AWS reported subscribe-fail (legacy). */
  FAILED
}
