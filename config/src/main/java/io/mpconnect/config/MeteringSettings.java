package io.mpconnect.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Usage metering, read by the api (usage intake) and the worker (hourly BatchMeterUsage).
 *
 * <ul>
 *   <li>METERING_DIMENSIONS: comma-separated dimension names of the listing (empty: intake refuses
 *       all usage and no zero records are sent);
 *   <li>METERING_WINDOW (default 6h, at most 24h): how old a usage timestamp may be at intake, and
 *       how long after its hour a record is still re-attempted before it is reported as expired.
 *       Kept below AWS's documented 24 h, which has been 1 h and 6 h before;
 *   <li>METERING_MAX_CALLS_PER_SECOND (default 10, AWS's quota): BatchMeterUsage calls per second
 *       of one worker process, smoothing the bursts of the fleet-wide limit
 *       (AWS_METERING_CALLS_PER_SECOND, {@link AwsCallSettings}), which is what keeps the fleet
 *       under the quota;
 *   <li>METERING_HOUR_GRACE (default 5m): an hour is metered this long after it ends, so usage
 *       reported a little late still lands in its own hour.
 * </ul>
 */
public record MeteringSettings(
    List<String> dimensions, Duration window, double maxCallsPerSecond, Duration hourGrace) {

  public static final Duration DEFAULT_WINDOW = Duration.ofHours(6);
  public static final Duration MAX_WINDOW = Duration.ofHours(24);
  public static final double DEFAULT_MAX_CALLS_PER_SECOND = 10;
  public static final Duration DEFAULT_HOUR_GRACE = Duration.ofMinutes(5);

  public MeteringSettings {
    dimensions = List.copyOf(dimensions);
  }

  public static MeteringSettings from(Env env) {
    List<String> dimensions = env.getList("METERING_DIMENSIONS", List.of());
    Set<String> seen = new HashSet<>();
    for (String dimension : dimensions) {
      // AWS dimension API names: letters, digits, underscores (and a few more), up to 255.
      if (!dimension.matches("[A-Za-z0-9_.:-]{1,255}")) {
        throw new Env.ConfigException(
            "METERING_DIMENSIONS: \"" + dimension + "\" is not a valid dimension name");
      }
      if (!seen.add(dimension)) {
        throw new Env.ConfigException("METERING_DIMENSIONS names \"" + dimension + "\" twice");
      }
    }
    Duration window = env.getDuration("METERING_WINDOW", DEFAULT_WINDOW);
    Duration grace = env.getDuration("METERING_HOUR_GRACE", DEFAULT_HOUR_GRACE);
    if (grace.isNegative() || grace.compareTo(Duration.ofMinutes(30)) > 0) {
      throw new Env.ConfigException("METERING_HOUR_GRACE must be between 0 and 30m");
    }
    // The last complete hour must still be sendable when it is metered, with time to retry.
    if (window.compareTo(Duration.ofHours(2)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new Env.ConfigException("METERING_WINDOW must be between 2h and 24h (AWS's limit)");
    }
    String rate = env.get("METERING_MAX_CALLS_PER_SECOND");
    double maxCallsPerSecond = DEFAULT_MAX_CALLS_PER_SECOND;
    if (rate != null) {
      try {
        maxCallsPerSecond = Double.parseDouble(rate);
      } catch (NumberFormatException e) {
        maxCallsPerSecond = Double.NaN;
      }
      if (!(maxCallsPerSecond > 0 && maxCallsPerSecond <= 100)) {
        throw new Env.ConfigException(
            "METERING_MAX_CALLS_PER_SECOND must be a number above 0 (AWS allows about 10), got \""
                + rate + "\"");
      }
    }
    return new MeteringSettings(dimensions, window, maxCallsPerSecond, grace);
  }

  /** A copy for tests and tools. */
  public MeteringSettings withMaxCallsPerSecond(double rate) {
    return new MeteringSettings(dimensions, window, rate, hourGrace);
  }

  @Override
  public String toString() {
    return "MeteringSettings[dimensions=" + dimensions + ", window=" + window
        + ", maxCallsPerSecond=" + maxCallsPerSecond + ", hourGrace=" + hourGrace + "]";
  }
}
