package io.mpconnect.api.health;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;

/** The api's Prometheus metrics. Tags are low-cardinality: never ids, tokens or addresses. */
public final class ApiMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Scope temporalScope;

  public ApiMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** @param result accepted or rejected */
  public void registration(String result) {
    Counter.builder("mpconnect_registrations")
        .description("POSTs to the AWS Marketplace fulfillment URL")
        .tag("result", result)
        .register(registry)
        .increment();
  }

  /** Counts every JSON API call by its route template and status. */
  public void install(Javalin app) {
    app.after("/api/*", ctx -> {
      // The route template, never the path: paths hold onboarding ids (unbounded cardinality).
      String route = ctx.endpointHandlerPath();
      Counter.builder("mpconnect_onboarding_api_calls")
          .description("Calls to the onboarding JSON API")
          .tag("method", ctx.method().name())
          .tag("route", route.startsWith("/") ? route : "unmatched")
          .tag("status", Integer.toString(ctx.statusCode()))
          .register(registry)
          .increment();
    });
  }

  /**
   * The Temporal SDK's client metrics (request latencies and failures towards Temporal) into this
   * registry; pass it when connecting (see {@code ApiServer.main}).
   */
  public synchronized Scope temporalScope() {
    if (temporalScope == null) {
      temporalScope =
          new RootScopeBuilder()
              .reporter(new MicrometerClientStatsReporter(registry))
              .reportEvery(com.uber.m3.util.Duration.ofSeconds(5));
    }
    return temporalScope;
  }

  public String scrape() {
    return registry.scrape();
  }
}
