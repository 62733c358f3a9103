package io.mpconnect.workflows.metering;

/** How a metering run ended. */
public enum RunOutcome {
  /** Every record has AWS's final answer or a final failure. */
  COMPLETED,
  /** AWS refused the calls themselves (product code, API disabled, credentials): re-attempted by
   * the next scheduled run while the hour is inside the window. */
  FAILED,
  /** The window closed with records unsent: they are failed WindowExpired and alerted. */
  EXPIRED
}
