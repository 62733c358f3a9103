package io.mpconnect.worker;

import io.mpconnect.config.AwsCallSettings;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.workflows.messages.MarketplacePricing;
import java.time.Duration;

/**
 * The worker's configuration: TEMPORAL_*, DATABASE_*, MARKETPLACE_PRODUCT_CODE (required: a token
 * of another product ends its onboarding WRONG_PRODUCT), WORKER_STATUS_PORT (metrics and health,
 * default 9464) on WORKER_STATUS_HOST (default 0.0.0.0; the developer mode: 127.0.0.1), TEMPORAL_REGISTER_SEARCH_ATTRIBUTES (register the custom search attributes at
 * start-up; on for development, off where an operator manages the namespace),
 * AWS_RESOLVE_CALLS_PER_SECOND and AWS_METERING_CALLS_PER_SECOND (the fleet-wide pace of calls to
 * AWS, see {@link AwsCallSettings}), MARKETPLACE_PRICING ({@code usage}, the default, {@code
 * contract} or {@code contract-with-consumption}: contract listings read entitlements),
 * METRICS_VISIBILITY_INTERVAL (default 1m: how often the running onboardings per step are read
 * from Temporal's visibility for the gauges, see {@link OnboardingMeters}), and the main worker's
 * sizes ({@link WorkerTuning}: WORKER_WORKFLOW_CACHE_SIZE, WORKER_*_POLLERS, WORKER_MAX_CONCURRENT_*).
 */
public record WorkerSettings(
    TemporalSettings temporal,
    DatabaseSettings database,
    String productCode,
    String statusHost,
    int statusPort,
    boolean registerSearchAttributes,
    AwsCallSettings awsCalls,
    MarketplacePricing pricing,
    Duration metricsVisibilityInterval,
    WorkerTuning tuning) {

  public static WorkerSettings from(Env env) {
    return new WorkerSettings(
        TemporalSettings.from(env),
        DatabaseSettings.from(env),
        env.required("MARKETPLACE_PRODUCT_CODE"),
        env.get("WORKER_STATUS_HOST", StatusServer.ALL_INTERFACES),
        env.getInt("WORKER_STATUS_PORT", 9464),
        env.getBoolean("TEMPORAL_REGISTER_SEARCH_ATTRIBUTES", false),
        AwsCallSettings.from(env),
        MarketplacePricing.fromSetting(env.get("MARKETPLACE_PRICING")),
        visibilityInterval(env),
        WorkerTuning.from(env));
  }

  private static Duration visibilityInterval(Env env) {
    Duration every =
        env.getDuration("METRICS_VISIBILITY_INTERVAL", OnboardingMeters.DEFAULT_EVERY);
    if (every.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new Env.ConfigException("METRICS_VISIBILITY_INTERVAL must be at least 1s, got \""
          + env.get("METRICS_VISIBILITY_INTERVAL") + "\"");
    }
    return every;
  }
}
