package io.mpconnect.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpconnect.activities.aws.AwsCallMetrics;
import io.mpconnect.activities.aws.MarketplaceActivitiesImpl;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.util.List;

/**
 * The worker's Prometheus registry: the Temporal SDK's metrics (and the workflows' own counters,
 * reported through the SDK's replay-safe scope), AWS call errors, and the JVM.
 */
public final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Scope temporalScope;

  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    temporalScope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(com.uber.m3.util.Duration.ofSeconds(5));
    // The retryable AWS errors exist at 0 from the start, so their first occurrence is an
    // increase Prometheus sees.
    for (String type : List.of(MarketplaceActivitiesImpl.THROTTLED,
        MarketplaceActivitiesImpl.AWS_UNAVAILABLE)) {
      awsCallErrors("ResolveCustomer", type);
    }
  }

  private Counter awsCallErrors(String operation, String type) {
    return Counter.builder("mpconnect_aws_call_errors")
        .description("AWS Marketplace calls that failed, by operation and error type")
        .tag("operation", operation)
        .tag("type", type)
        .register(registry);
  }

  public Scope temporalScope() {
    return temporalScope;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public AwsCallMetrics awsCalls() {
    return (operation, type) -> awsCallErrors(operation, type).increment();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    try {
      temporalScope.close();
    } catch (com.uber.m3.tally.ScopeCloseException e) {
      // Closing only flushes the last report; nothing to recover.
    }
    registry.close();
  }
}
