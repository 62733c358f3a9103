package io.mpconnect.persistence.metering;

/** The state of one metered hour. */
public enum RunStatus {
  RUNNING,
  /** Every record of the hour has AWS's final answer (or a final failure). */
  COMPLETED,
  /** The last attempt stopped with records unsent; re-attempted while inside the window. */
  FAILED,
  /** Out of the window with records unsent: given up, reported, the records FAILED WindowExpired. */
  EXPIRED
}
