package io.mpconnect.worker.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mpconnect.activities.metering.BatchMeterUsageSender;
import io.mpconnect.activities.metering.MeteringMetrics;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.RecordStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metering's Prometheus metrics:
 *
 * <ul>
 *   <li>{@code mpconnect_metering_calls_total{outcome}}: BatchMeterUsage calls, {@code Success} or
 *       the AWS error (ThrottlingException, ...); {@code mpconnect_metering_records_per_call}
 *       their size;
 *   <li>{@code mpconnect_metering_throttles_total}: throttled calls;
 *   <li>{@code mpconnect_metering_records_total{status}}: records that reached a final status;
 *       {@code mpconnect_metering_records_unprocessed_total}: handed back by AWS for later;
 *   <li>{@code mpconnect_metering_alerts_total{reason}}: records that need a person (alert on any
 *       increase);
 *   <li>{@code mpconnect_metering_unsent_lag_seconds}: how long ago the oldest hour with unsent
 *       usage ended (0 when all is sent; alert above an hour or two).
 * </ul>
 */
public final class MeteringMeters implements MeteringMetrics {
  private static final Logger log = LoggerFactory.getLogger(MeteringMeters.class);
  private static final Duration LAG_CACHE = Duration.ofSeconds(15);

  /** Alert reasons registered at 0 at start (others appear with their first occurrence). */
  static final List<String> ALERT_REASONS = List.of(
      BatchMeterUsageSender.MISMATCH_ALERT, "DuplicateRecord", "LicenseRevoked",
      "QuantityOutOfRange", "WindowExpired");

  private final MeterRegistry registry;
  private final MeteringRecordRepository records;
  private final Clock clock;
  private final Counter throttles;
  private final Counter unprocessed;
  private final DistributionSummary callSizes;
  private Instant lagReadAt = Instant.EPOCH;
  private double lagSeconds;

  public MeteringMeters(MeterRegistry registry, MeteringRecordRepository records, Clock clock) {
    this.registry = registry;
    this.records = records;
    this.clock = clock;
    throttles = Counter.builder("mpconnect_metering_throttles")
        .description("BatchMeterUsage calls refused with ThrottlingException")
        .register(registry);
    unprocessed = Counter.builder("mpconnect_metering_records_unprocessed")
        .description("Records AWS handed back in UnprocessedRecords (sent again later)")
        .register(registry);
    callSizes = DistributionSummary.builder("mpconnect_metering_records_per_call")
        .description("Usage records per BatchMeterUsage call (at most 25)")
        .register(registry);
    // The alerts' reasons, the calls' common outcomes and the records' final statuses exist at 0 from the start, so the first
    // one is an increase Prometheus sees (a series that appears at 1 has no increase).
    for (String reason : ALERT_REASONS) {
      alert(reason, 0);
    }
    for (String outcome : List.of("Success", "ThrottlingException")) {
      Counter.builder("mpconnect_metering_calls")
          .description("BatchMeterUsage calls by outcome")
          .tag("outcome", outcome)
          .register(registry);
    }
    for (RecordStatus status : RecordStatus.values()) {
      if (status != RecordStatus.PENDING) {
        records(status.name(), 0);
      }
    }
    Gauge.builder("mpconnect_metering_unsent_lag_seconds", this, MeteringMeters::lag)
        .description("Seconds since the end of the oldest hour whose usage AWS has not answered")
        .register(registry);
  }

  @Override
  public void call(String outcome, int size) {
    Counter.builder("mpconnect_metering_calls")
        .description("BatchMeterUsage calls by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    callSizes.record(size);
    if (outcome.equals("ThrottlingException")) {
      throttles.increment();
    }
  }

  @Override
  public void records(String status, int count) {
    Counter.builder("mpconnect_metering_records")
        .description("Metering records that reached a final status")
        .tag("status", status)
        .register(registry)
        .increment(count);
  }

  @Override
  public void unprocessed(int count) {
    unprocessed.increment(count);
  }

  @Override
  public void alert(String reason, int count) {
    Counter.builder("mpconnect_metering_alerts")
        .description("Metering records that need a person (failed for good or DuplicateRecord)")
        .tag("reason", reason)
        .register(registry)
        .increment(count);
  }

  // Read on scrape, at most every 15 s: two indexed min() queries.
  private synchronized double lag() {
    Instant now = clock.instant();
    if (Duration.between(lagReadAt, now).compareTo(LAG_CACHE) >= 0) {
      try {
        lagSeconds =
            records
                .oldestUnsentHour(now.truncatedTo(ChronoUnit.HOURS))
                .map(hour -> Math.max(0, Duration.between(hour.plus(Duration.ofHours(1)), now)
                    .toSeconds()))
                .orElse(0L)
                .doubleValue();
        lagReadAt = now;
      } catch (RuntimeException e) {
        log.warn("cannot read the metering lag: {}", e.toString());
        return Double.NaN;
      }
    }
    return lagSeconds;
  }
}
