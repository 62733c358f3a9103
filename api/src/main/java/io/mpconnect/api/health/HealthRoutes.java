package io.mpconnect.api.health;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.web.BearerTokens;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Liveness, readiness (Temporal answers) and the Prometheus scrape. */
public final class HealthRoutes {
  private static final Logger log = LoggerFactory.getLogger(HealthRoutes.class);

  private final WorkflowClient client;
  private final ApiMetrics metrics;
  private final String metricsToken;

  /** @param metricsToken METRICS_TOKEN: when set, /metrics needs it as a bearer token */
  public HealthRoutes(WorkflowClient client, ApiMetrics metrics, String metricsToken) {
    this.client = client;
    this.metrics = metrics;
    this.metricsToken = metricsToken;
  }

  public void register(Javalin app) {
    app.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
    app.get("/health/ready", this::ready);
    app.get("/metrics", ctx -> {
      // Route names, counts and JVM figures help an attacker time and aim a flood: on a public
      // port, only the scraper with METRICS_TOKEN reads them.
      if (metricsToken != null && !BearerTokens.check(ctx, metricsToken, "METRICS_TOKEN")) {
        return;
      }
      ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    });
  }

  private void ready(Context ctx) {
    try {
      // The cheapest call every Temporal server (and the test server) answers.
      client.getWorkflowServiceStubs()
          .blockingStub()
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      ctx.json(Map.of("status", "ready"));
    } catch (RuntimeException e) {
      log.warn("not ready: Temporal did not answer ({})", e.getClass().getSimpleName());
      ctx.status(503).json(Map.of("status", "unavailable", "message", "Temporal is not reachable."));
    }
  }
}
