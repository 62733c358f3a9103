package io.mpconnect.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mpconnect.persistence.BacklogRepository;
import io.mpconnect.persistence.BacklogRepository.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from PostgreSQL on scrape (at most every 15 s, a handful of indexed counts), for
 * the alerts in ops/prometheus/alerts.yml:
 *
 * <ul>
 *   <li>{@code mpconnect_outbox_pending}, {@code mpconnect_outbox_oldest_pending_seconds}, {@code
 *       mpconnect_outbox_failed}: the notification outbox's backlog, and e-mails given up on;
 *   <li>{@code mpconnect_parked_events_unresolved}: parked lifecycle events nobody resolved;
 *   <li>{@code mpconnect_metering_mismatches_open}: CustomerNotSubscribed on a usable license, not
 *       resolved;
 *   <li>{@code mpconnect_metering_oldest_incomplete_hour_seconds}: seconds since the end of the
 *       oldest hour (last 24 h) that has no COMPLETED metering run; 0 when all are completed.
 * </ul>
 *
 * When the database cannot be read the gauges are NaN (the scrape still answers).
 */
public final class BacklogMeters {
  private static final Logger log = LoggerFactory.getLogger(BacklogMeters.class);
  private static final Duration CACHE = Duration.ofSeconds(15);

  private final BacklogRepository backlog;
  private final Clock clock;
  private Instant readAt = Instant.EPOCH;
  private Snapshot snapshot;

  public BacklogMeters(MeterRegistry registry, BacklogRepository backlog, Clock clock) {
    this.backlog = backlog;
    this.clock = clock;
    gauge(registry, "mpconnect_outbox_pending",
        "Notification e-mails waiting to be sent (not sent, not given up)",
        Snapshot::outboxPending);
    gauge(registry, "mpconnect_outbox_oldest_pending_seconds",
        "Age of the oldest notification e-mail waiting to be sent (0 when none)",
        Snapshot::outboxOldestPendingSeconds);
    gauge(registry, "mpconnect_outbox_failed",
        "Notification e-mails the dispatcher gave up on (failed_at set)",
        Snapshot::outboxFailed);
    gauge(registry, "mpconnect_parked_events_unresolved",
        "Parked lifecycle events without resolved_at", Snapshot::parkedUnresolved);
    gauge(registry, "mpconnect_metering_mismatches_open",
        "CustomerNotSubscribed answers on a license the product holds usable, not resolved",
        Snapshot::mismatchesOpen);
    gauge(registry, "mpconnect_metering_oldest_incomplete_hour_seconds",
        "Seconds since the end of the oldest hour of the last 24 h without a COMPLETED metering"
            + " run (0 when all are completed)",
        Snapshot::meteringOldestIncompleteHourSeconds);
  }

  private void gauge(MeterRegistry registry, String name, String description,
      ToDoubleFunction<Snapshot> value) {
    Gauge.builder(name, this, meters -> meters.read(value))
        .description(description)
        // Held by the registry: nothing else keeps these meters (a gauge's weak reference
        // would be collected and read NaN).
        .strongReference(true)
        .register(registry);
  }

  private synchronized double read(ToDoubleFunction<Snapshot> value) {
    Instant now = clock.instant();
    if (Duration.between(readAt, now).compareTo(CACHE) >= 0) {
      // One read per scrape for every gauge; a failed read is not retried by the next gauge.
      readAt = now;
      try {
        snapshot = backlog.read(now);
      } catch (RuntimeException e) {
        log.warn("cannot read the backlog gauges: {}", e.toString());
        snapshot = null;
      }
    }
    return snapshot == null ? Double.NaN : value.applyAsDouble(snapshot);
  }
}
