package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.JavaProcess;
import io.mpconnect.e2e.harness.RunsAlone;
import io.mpconnect.standins.EmbeddedDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker and the api as their own JVMs, exactly as they run in production, on a port that is
 * already taken: each exits at once with status 1 and one line saying what and where, instead of
 * living on without serving.
 */
@RunsAlone
class StartupFailureTest {
  private static final Duration AT_ONCE = Duration.ofSeconds(30);

  private static EmbeddedDatabase postgres;
  private static String jdbcUrl;
  private static Path logs;

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedDatabase.start();
    jdbcUrl = postgres.createDatabase("startup_failure");
    logs = Path.of(System.getProperty("e2e.target", "target")).toAbsolutePath()
        .resolve("e2e-runs").resolve("startup-failure-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss")));
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void theWorkerExitsAtOnceWhenItsStatusPortIsTaken() throws Exception {
    // Held for the whole test: the worker binds the wildcard address, as in its container.
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      Map<String, String> env = common();
      env.put("WORKER_STATUS_PORT", Integer.toString(port));
      JavaProcess worker = JavaProcess.of("worker-port-taken", "worker",
          "io.mpconnect.worker.WorkerApp", env, logs);

      Duration took = exitOf(worker);

      assertThat(worker.logText()).contains("error: cannot listen on 0.0.0.0:" + port
          + ": address already in use (WORKER_STATUS_PORT)");
      System.out.printf("worker with WORKER_STATUS_PORT taken exited 1 after %d ms%n",
          took.toMillis());
    }
  }

  @Test
  void theApiExitsAtOnceWhenItsPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Map<String, String> env = common();
      env.put("API_HOST", "127.0.0.1");
      env.put("API_PORT", Integer.toString(port));
      env.put("SESSION_SECRET", "startup-failure-test-secret-0123456789abcdef");
      JavaProcess api = JavaProcess.of("api-port-taken", "api", "io.mpconnect.api.ApiServer",
          env, logs);

      Duration took = exitOf(api);

      assertThat(api.logText()).contains("error: cannot listen on 127.0.0.1:" + port
          + ": address already in use (API_PORT)");
      System.out.printf("api with API_PORT taken exited 1 after %d ms%n", took.toMillis());
    }
  }

  /**
   * The mistake an attacker hopes for: the secrets of .env.example left in place. Each process
   * exits at once with status 1 and one line naming the variable.
   */
  @Test
  void theApiAndTheWorkerExitAtOnceWithThePlaceholderSecretsOfEnvExample() throws Exception {
    Map<String, String> apiEnv = common();
    apiEnv.put("API_HOST", "127.0.0.1");
    apiEnv.put("API_PORT", "0");
    apiEnv.put("SESSION_SECRET", "change-me-to-at-least-32-random-characters");
    JavaProcess api = JavaProcess.of("api-placeholder-secret", "api",
        "io.mpconnect.api.ApiServer", apiEnv, logs);
    exitOf(api);
    assertThat(api.logText()).contains("error: SESSION_SECRET still holds the placeholder of"
        + " .env.example (\"change-me...\"): set a random value of its own");

    Map<String, String> workerEnv = common();
    workerEnv.put("DATABASE_PASSWORD", "change-me-postgres-password");
    JavaProcess worker = JavaProcess.of("worker-placeholder-secret", "worker",
        "io.mpconnect.worker.WorkerApp", workerEnv, logs);
    exitOf(worker);
    assertThat(worker.logText()).contains("error: DATABASE_PASSWORD still holds the placeholder"
        + " of .env.example");
  }

  /** Starts it, expects exit status 1 within {@link #AT_ONCE}; how long it took. */
  private static Duration exitOf(JavaProcess process) {
    long started = System.nanoTime();
    process.start();
    Integer code = process.awaitExit(AT_ONCE);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    if (code == null) {
      process.kill();
    }
    assertThat(code)
        .as("%s's exit status (null: still running after %s); its log ends with:%n%s",
            process.name(), AT_ONCE, process.tail(30))
        .isEqualTo(1);
    return took;
  }

  private static Map<String, String> common() {
    Map<String, String> env = new LinkedHashMap<>();
    // Nothing listens on port 1: both must fail on their port before they need Temporal.
    env.put("TEMPORAL_ADDRESS", "127.0.0.1:1");
    env.put("TEMPORAL_TASK_QUEUE", "startup-failure");
    env.put("DATABASE_URL", jdbcUrl);
    env.put("DATABASE_USER", EmbeddedDatabase.USER);
    env.put("DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD);
    env.put("MARKETPLACE_PRODUCT_CODE", "prod-startup-failure");
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ACCESS_KEY_ID", "e2e");
    env.put("AWS_SECRET_ACCESS_KEY", "e2e");
    env.put("LOG_FORMAT", "text");
    env.put(io.mpconnect.config.PayloadKeys.KEYS,
        io.mpconnect.config.PayloadKeys.newKeySetting("startup-failure"));
    return env;
  }
}
