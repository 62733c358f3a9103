package io.mpconnect.config;

import java.time.Duration;

/**
 * The final metering hour of an ending license (unsubscribe-pending, Purchase Agreement Ended):
 * METERING_FINAL_HOUR_MARGIN (default 10m, 0..60m) is how long before the end of AWS's one-hour
 * window the current partial hour is closed and sent. The send happens {@code 1h - margin} after
 * the end began; 60m sends at once (usage reported later in the hour then waits for an hour AWS
 * refuses).
 */
public record FinalHourSettings(Duration margin) {
  public static final Duration DEFAULT_MARGIN = Duration.ofMinutes(10);
  public static final Duration MAX_MARGIN = Duration.ofHours(1);

  public FinalHourSettings {
    if (margin == null || margin.isNegative() || margin.compareTo(MAX_MARGIN) > 0) {
      throw new Env.ConfigException("METERING_FINAL_HOUR_MARGIN must be between 0 and 60m");
    }
  }

  public static FinalHourSettings from(Env env) {
    return new FinalHourSettings(env.getDuration("METERING_FINAL_HOUR_MARGIN", DEFAULT_MARGIN));
  }
}
