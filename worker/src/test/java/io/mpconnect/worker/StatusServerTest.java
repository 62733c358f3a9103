package io.mpconnect.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The worker's status server binds its port when started, and says so loudly when it cannot. */
class StatusServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aPortThatIsTakenFailsTheStartAtOnceNamingTheAddressAndTheSetting() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      StatusServer server = new StatusServer(port, () -> "", () -> true);
      long started = System.nanoTime();
      assertThatThrownBy(server::start)
          .isInstanceOf(StatusServer.CannotListenException.class)
          .hasMessage("cannot listen on 0.0.0.0:" + port
              + ": address already in use (WORKER_STATUS_PORT)");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      server.close();
      // Nothing of it is left serving: its worker-status threads were never started or are gone.
      assertThat(Thread.getAllStackTraces().keySet())
          .noneMatch(t -> t.getName().equals("worker-status") && t.isAlive() && !t.isDaemon());
    }
  }

  @Test
  void portZeroBindsAnyFreePortAndReportsIt() throws Exception {
    AtomicBoolean ready = new AtomicBoolean(false);
    try (StatusServer server = new StatusServer(0, () -> "up 1\n", ready::get).start()) {
      int port = server.port();
      assertThat(port).isPositive();
      assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
      assertThat(get(port, "/health/ready").statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
      assertThat(get(port, "/metrics").body()).isEqualTo("up 1\n");
    }
  }

  @Test
  void aServerNeverStartedHasBoundNothingAndClosesQuietly() throws Exception {
    StatusServer server = new StatusServer(0, () -> "", () -> true);
    assertThat(server.port()).isZero(); // the port asked for: nothing is bound before start()
    server.close();
    server.close();
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anImpossiblePortIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new StatusServer(70_000, () -> "", () -> true))
        .hasMessageContaining("WORKER_STATUS_PORT");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
