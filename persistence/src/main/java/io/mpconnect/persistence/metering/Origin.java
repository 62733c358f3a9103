package io.mpconnect.persistence.metering;

/** What created a metering record. */
public enum Origin {
  /** The hourly run of its hour. */
  HOURLY,
  /** The final flush of a customer whose subscription is ending (unsubscribe-pending). */
  FINAL_FLUSH
}
