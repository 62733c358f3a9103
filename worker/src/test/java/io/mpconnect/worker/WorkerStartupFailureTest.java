package io.mpconnect.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.standins.EmbeddedDatabase;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker that cannot start fails at once with one clear message and leaves nothing running (no
 * poller, no outbox dispatcher, no consumer, no status server): the process variant, which exits
 * with status 1 and prints the line, is in the e2e module's StartupFailureTest.
 */
class WorkerStartupFailureTest {
  private static EmbeddedDatabase postgres;
  private static String jdbcUrl;

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedDatabase.start();
    jdbcUrl = postgres.createDatabase("worker_startup");
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aTakenStatusPortFailsTheStartAtOnceAndStopsWhatWasStarted() throws Exception {
    Set<Thread> before = liveNonDaemonThreads();
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      Env env = env(Map.of("WORKER_STATUS_PORT", Integer.toString(port)));
      long started = System.nanoTime();
      Throwable failure = null;
      try {
        WorkerApp.start(env).close();
      } catch (RuntimeException e) {
        failure = e;
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(failure).isInstanceOf(StatusServer.CannotListenException.class);
      String expected =
          "cannot listen on 0.0.0.0:" + port + ": address already in use (WORKER_STATUS_PORT)";
      assertThat(failure).hasMessage(expected);
      assertThat(WorkerApp.startFailure(failure, env)).isEqualTo(expected);
      // The schema migration on an empty database is most of it; no waiting on Temporal.
      assertThat(took).isLessThan(Duration.ofSeconds(20));
    }
    assertNothingLeftRunning(before);
  }

  @Test
  void anUnreachableDatabaseIsNamedWithItsSetting() {
    // (The real failure comes after Flyway's connect retries, about a minute: described here.)
    String url = "jdbc:postgresql://127.0.0.1:5/nothing";
    Env env = env(Map.of("DATABASE_URL", url + "?user=x"));
    RuntimeException flyway = new RuntimeException("Unable to obtain connection from database",
        new java.sql.SQLException("Connection to 127.0.0.1:5 refused. Check that the hostname and"
            + " port are correct.\nmore detail"));
    assertThat(WorkerApp.startFailure(flyway, env))
        .isEqualTo("cannot connect to the database at " + url + " (DATABASE_URL): Connection to"
            + " 127.0.0.1:5 refused. Check that the hostname and port are correct.");
  }

  @Test
  void temporalUnreachableIsNamedWithItsSetting() {
    Env env = env(Map.of());
    StatusRuntimeException unavailable =
        Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();
    assertThat(WorkerApp.startFailure(new IllegalStateException("wrapped", unavailable), env))
        .isEqualTo("cannot reach Temporal at 127.0.0.1:1 (TEMPORAL_ADDRESS): UNAVAILABLE: io"
            + " exception");
  }

  @Test
  void aSettingThatDoesNotParseIsItsOwnMessage() {
    Env env = env(Map.of("WORKER_STATUS_PORT", "ninety"));
    assertThatThrownBy(() -> WorkerApp.start(env))
        .satisfies(e -> assertThat(WorkerApp.startFailure(e, env))
            .isEqualTo("WORKER_STATUS_PORT must be a whole number, got \"ninety\""));
  }

  @Test
  void withoutAPayloadKeyTheWorkerRefusesToStartNamingTheVariable() {
    Env env = new Env(Map.of("TEMPORAL_ADDRESS", "127.0.0.1:1", "DATABASE_URL", jdbcUrl,
        "MARKETPLACE_PRODUCT_CODE", "prod-startup-test"));
    assertThatThrownBy(() -> WorkerApp.start(env))
        .isInstanceOf(Env.ConfigException.class)
        .satisfies(e -> assertThat(WorkerApp.startFailure(e, env)).startsWith(
            "PAYLOAD_KEYS (or PAYLOAD_KEYS_FILE) must be set: payloads in Temporal's histories are"
                + " encrypted with it"));
  }

  private static Env env(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    // Nothing listens on port 1: the worker must fail before it needs Temporal.
    env.put("TEMPORAL_ADDRESS", "127.0.0.1:1");
    env.put("TEMPORAL_TASK_QUEUE", "startup-failure-test");
    env.put("DATABASE_URL", jdbcUrl);
    env.put("DATABASE_USER", EmbeddedDatabase.USER);
    env.put("DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD);
    env.put("MARKETPLACE_PRODUCT_CODE", "prod-startup-test");
    env.put(PayloadKeys.KEYS, PayloadKeys.newKeySetting("test"));
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ACCESS_KEY_ID", "test");
    env.put("AWS_SECRET_ACCESS_KEY", "test");
    env.putAll(overrides);
    return new Env(env);
  }

  private static Set<Thread> liveNonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toSet());
  }

  /** No thread that would keep a JVM alive was left behind by the failed start. */
  private static void assertNothingLeftRunning(Set<Thread> before) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<Thread> left;
    do {
      left = liveNonDaemonThreads();
      left.removeAll(before);
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    assertThat(left).extracting(Thread::getName).isEmpty();
  }
}
