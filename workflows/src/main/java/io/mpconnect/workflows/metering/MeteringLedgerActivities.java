package io.mpconnect.workflows.metering;

import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.activity.ActivityInterface;
import java.time.Instant;
import java.util.List;

/**
 * Metering's PostgreSQL side. Every method is idempotent and moves counts, never records: the
 * records stay in PostgreSQL, however many customers there are.
 */
@ActivityInterface(namePrefix = "Metering")
public interface MeteringLedgerActivities {
  /**
   * Hours to meter at {@code now}: the last complete hour (after the grace period), hours missed or
   * failed since metering began, inside the window. Hours out of the window with unsent records
   * are expired on the way: their records failed WindowExpired, counted and logged.
   */
  DueHours dueHours(Instant now);

  /**
   * Marks the hour's run started and creates its records: per (customer, dimension) the usage not
   * yet metered up to the end of the hour, plus zero records for idle active customers.
   */
  HourPlan prepareHour(Instant hour);

  /** Records how the attempt ended (expiring what is left when the window closed). */
  MeteringRunResult finishHour(RunFinish finish);

  /**
   * Plans up to {@code maxBatches} calls from the scope's pending records after {@code after} and
   * up to {@code until} included (null: to the end): 25 records of one product and dimension a
   * call. Records whose license was revoked before now are failed first, never sent (AWS accepts
   * no usage for such a license).
   */
  BatchPage planBatches(SendScope scope, BatchCursor after, BatchCursor until, int maxBatches);

  /**
   * Where each page of {@code batchesPerPage} calls starts, over the scope's pending records
   * now: the first page starts at {@link BatchCursor#START}, page k+1 right after page k's last
   * record, so pages planned from these bounds never overlap and can be sent side by side.
   */
  List<BatchCursor> planPages(SendScope scope, int batchesPerPage);

  /** The scope's records still pending. */
  int countPending(SendScope scope);

  /** Resolves the leaving customer and moves all its unmetered usage into records. */
  FlushPlan prepareFinalFlush(FinalFlushRequest request);
}
