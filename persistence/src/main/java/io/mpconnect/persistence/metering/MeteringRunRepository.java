package io.mpconnect.persistence.metering;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The metered hours: which ran, how they ended, which are still due. */
public final class MeteringRunRepository {
  private final Jdbi jdbi;

  public MeteringRunRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Marks the hour RUNNING and counts the attempt. */
  public void start(Instant hour) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO metering_runs (hour, status, attempts) VALUES (:hour, 'RUNNING', 1)
                    ON CONFLICT (hour) DO UPDATE
                      SET status = 'RUNNING', attempts = metering_runs.attempts + 1,
                          started_at = now(), finished_at = NULL\
                    """)
                .bind("hour", Timestamps.utc(hour))
                .execute());
  }

  /** Ends the hour's attempt with its status and the hour's record counts. */
  public void finish(
      Instant hour, RunStatus status, HourCounts counts, int calls, int throttles, String error) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO metering_runs
                      (hour, status, attempts, finished_at, records, succeeded, not_subscribed,
                       duplicates, failed, calls, throttles, last_error)
                    VALUES (:hour, :status, 1, now(), :records, :succeeded, :notSubscribed,
                            :duplicates, :failed, :calls, :throttles, :error)
                    ON CONFLICT (hour) DO UPDATE
                      SET status = EXCLUDED.status, finished_at = now(),
                          records = EXCLUDED.records, succeeded = EXCLUDED.succeeded,
                          not_subscribed = EXCLUDED.not_subscribed,
                          duplicates = EXCLUDED.duplicates, failed = EXCLUDED.failed,
                          calls = metering_runs.calls + EXCLUDED.calls,
                          throttles = metering_runs.throttles + EXCLUDED.throttles,
                          last_error = EXCLUDED.last_error\
                    """)
                .bind("hour", Timestamps.utc(hour))
                .bind("status", status.name())
                .bind("records", counts.total())
                .bind("succeeded", counts.succeeded())
                .bind("notSubscribed", counts.notSubscribed())
                .bind("duplicates", counts.duplicates())
                .bind("failed", counts.failed())
                .bind("calls", calls)
                .bind("throttles", throttles)
                .bind("error", error)
                .execute());
  }

  public Optional<MeteringRun> find(Instant hour) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM metering_runs WHERE hour = :hour")
                .bind("hour", Timestamps.utc(hour))
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  /** Runs of hours from {@code since} on, newest first. */
  public List<MeteringRun> since(Instant since) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM metering_runs WHERE hour >= :since ORDER BY hour DESC")
                .bind("since", Timestamps.utc(since))
                .map((rs, ctx) -> map(rs))
                .list());
  }

  /**
   * Hours from {@code oldest} to {@code latest} (both on the hour) that need a run, oldest first:
   * not COMPLETED or EXPIRED, or with records still pending, and not before metering began here
   * (the first recorded run, or the oldest queued usage). With nothing recorded at all, only
   * {@code latest} is due.
   */
  public List<Instant> dueHours(Instant oldest, Instant latest) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    WITH first_known AS (
                      SELECT coalesce(
                        least((SELECT min(hour) FROM metering_runs),
                              (SELECT min(usage_hour) FROM unmetered_usage)),
                        :latest) AS hour
                    )
                    SELECT g.hour
                    FROM first_known f,
                         generate_series(greatest(:oldest, f.hour), :latest,
                                         interval '1 hour') AS g(hour)
                    WHERE NOT EXISTS (
                        SELECT 1 FROM metering_runs r
                        WHERE r.hour = g.hour AND r.status IN ('COMPLETED', 'EXPIRED'))
                       -- A final flush may leave records of an hour whose run had completed.
                       OR EXISTS (
                        SELECT 1 FROM metering_records m
                        WHERE m.usage_hour = g.hour AND m.status = 'PENDING')
                    ORDER BY g.hour\
                    """)
                .bind("oldest", Timestamps.utc(oldest))
                .bind("latest", Timestamps.utc(latest))
                .map((rs, ctx) -> Timestamps.instant(rs, "hour"))
                .list());
  }

  /**
   * Hours before {@code oldest} still RUNNING or FAILED, or with records still pending: out of the
   * window, to be expired.
   */
  public List<Instant> overdue(Instant oldest) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT hour FROM metering_runs
                    WHERE hour < :oldest AND status IN ('RUNNING', 'FAILED')
                    UNION
                    SELECT DISTINCT usage_hour FROM metering_records
                    WHERE usage_hour < :oldest AND status = 'PENDING'
                    ORDER BY 1\
                    """)
                .bind("oldest", Timestamps.utc(oldest))
                .map((rs, ctx) -> Timestamps.instant(rs, 1))
                .list());
  }

  private static MeteringRun map(ResultSet rs) throws SQLException {
    return new MeteringRun(
        Timestamps.instant(rs, "hour"),
        RunStatus.valueOf(rs.getString("status")),
        rs.getInt("attempts"),
        Timestamps.instant(rs, "started_at"),
        Timestamps.instant(rs, "finished_at"),
        rs.getInt("records"),
        rs.getInt("succeeded"),
        rs.getInt("not_subscribed"),
        rs.getInt("duplicates"),
        rs.getInt("failed"),
        rs.getInt("calls"),
        rs.getInt("throttles"),
        rs.getString("last_error"));
  }
}
