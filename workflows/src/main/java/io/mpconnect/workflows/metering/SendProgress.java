package io.mpconnect.workflows.metering;

/**
 * What one sending activity did, and what is left.
 *
 * @param calls BatchMeterUsage calls made, throttled ones included
 * @param throttles calls AWS refused with ThrottlingException
 * @param unprocessed records AWS handed back in UnprocessedRecords (resubmitted later)
 * @param succeeded records AWS metered (Success)
 * @param notSubscribed records answered CustomerNotSubscribed
 * @param duplicates records answered DuplicateRecord
 * @param failed records failed for good (timestamp out of bounds, invalid dimension or customer)
 * @param pending records still unsent when the activity returned
 * @param outOfTime true when the activity stopped for its time budget, not for lack of progress
 */
public record SendProgress(
    int calls,
    int throttles,
    int unprocessed,
    int succeeded,
    int notSubscribed,
    int duplicates,
    int failed,
    int pending,
    boolean outOfTime) {

  public static final SendProgress NONE = new SendProgress(0, 0, 0, 0, 0, 0, 0, 0, false);

  /** Sums the counts; {@code pending} and {@code outOfTime} are the latest one's. */
  public SendProgress plus(SendProgress later) {
    return new SendProgress(
        calls + later.calls,
        throttles + later.throttles,
        unprocessed + later.unprocessed,
        succeeded + later.succeeded,
        notSubscribed + later.notSubscribed,
        duplicates + later.duplicates,
        failed + later.failed,
        later.pending,
        later.outOfTime);
  }
}
