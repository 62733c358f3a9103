package io.mpconnect.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of our processes (the worker or the api) as a separate JVM, exactly as it runs in
 * production: {@code java -cp <classpath> <main>} with configuration in environment variables.
 * Each start appends to its own log file. {@link #kill()} is kill -9 ({@link
 * Process#destroyForcibly}); {@link #terminate()} is SIGTERM, which runs the shutdown hooks.
 */
public final class JavaProcess {
  private final String name;
  private final String mainClass;
  private final Map<String, String> environment;
  private final Path logDirectory;
  private final List<String> classpath;
  /** When set, the whole command line (a container image's entrypoint, see ContainerImage). */
  private final List<String> command;
  private Process process;
  private int starts;
  private Path currentLog;

  JavaProcess(
      String name,
      String mainClass,
      List<String> classpath,
      Map<String, String> environment,
      Path logDirectory) {
    this(name, mainClass, classpath, null, environment, logDirectory);
  }

  private JavaProcess(
      String name,
      String mainClass,
      List<String> classpath,
      List<String> command,
      Map<String, String> environment,
      Path logDirectory) {
    this.name = name;
    this.mainClass = mainClass;
    this.classpath = List.copyOf(classpath);
    this.command = command == null ? null : List.copyOf(command);
    this.environment = new java.util.LinkedHashMap<>(environment);
    this.logDirectory = logDirectory;
  }

  /**
   * A process started from a container image's unpacked layers ({@link ContainerImage#runCommand})
   * with the image's environment and then the deployment's, as {@code docker run -e} would.
   */
  public static JavaProcess fromImage(String name, ContainerImage image,
      Map<String, String> environment, Path logDirectory) {
    Map<String, String> env = new java.util.LinkedHashMap<>(image.environment());
    env.putAll(environment);
    return new JavaProcess(name, String.join(" ", image.command()), List.of(),
        image.runCommand(), env, logDirectory);
  }

  public synchronized JavaProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    starts++;
    currentLog = logDirectory.resolve(name + "-" + starts + ".log");
    List<String> command = new ArrayList<>();
    if (this.command != null) {
      command.addAll(this.command);
    } else {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // Small, quick-starting JVMs: the e2e suite shares 2 cores with the rest of CI.
      command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Xss512k", "-cp", String.join(java.io.File.pathSeparator, classpath), mainClass));
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(currentLog.toFile()));
    builder.environment().clear();
    // An image's PATH (in environment) replaces this one.
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().putAll(environment);
    try {
      Files.createDirectories(logDirectory);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    return this;
  }

  /**
   * A process of one of our modules ({@code "worker"} or {@code "api"}) with its classpath as in
   * its container image, e.g. for tests of how it fails to start.
   */
  public static JavaProcess of(String name, String module, String mainClass,
      Map<String, String> environment, Path logDirectory) {
    return new JavaProcess(name, mainClass,
        Classpath.withFirst(Classpath.forChildProcesses(), module), environment, logDirectory);
  }

  /** Changes a variable for the next {@link #start} (e.g. a new port after a failed start). */
  public synchronized void environment(String variable, String value) {
    environment.put(variable, value);
  }

  /**
   * Waits until the process exited; its exit code, or null when it still runs after {@code
   * timeout}.
   */
  public Integer awaitExit(Duration timeout) {
    Process running;
    synchronized (this) {
      running = process;
    }
    if (running == null) {
      throw new IllegalStateException(name + " was not started");
    }
    try {
      return running.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? running.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String name() {
    return name;
  }

  public synchronized long pid() {
    return process.pid();
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** kill -9: no shutdown hook runs, nothing in flight is finished or reported. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    await(Duration.ofSeconds(10));
    process = null;
  }

  /** SIGTERM and wait for the exit (shutdown hooks run); returns the exit code. */
  public synchronized int terminate(Duration timeout) {
    if (process == null) {
      throw new IllegalStateException(name + " is not running");
    }
    process.destroy();
    if (!await(timeout)) {
      process.destroyForcibly();
      await(Duration.ofSeconds(10));
      throw new IllegalStateException(name + " did not exit within " + timeout + " of SIGTERM");
    }
    int code = process.exitValue();
    process = null;
    return code;
  }

  /** Sends SIGTERM without waiting, so a test can watch the shutdown. */
  public synchronized Process signalTerminate() {
    Process running = process;
    running.destroy();
    return running;
  }

  public synchronized void forgetExited() {
    if (process != null && !process.isAlive()) {
      process = null;
    }
  }

  /** The log of the latest start. */
  public synchronized Path log() {
    return currentLog;
  }

  /** Every log file this process wrote, one per start. */
  public List<Path> logs() {
    List<Path> logs = new ArrayList<>();
    for (int i = 1; i <= starts; i++) {
      logs.add(logDirectory.resolve(name + "-" + i + ".log"));
    }
    return logs;
  }

  public String logText() {
    try {
      return Files.exists(log()) ? Files.readString(log()) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails with the log's tail when the process died. */
  public void assertAlive() {
    if (!isAlive()) {
      throw new IllegalStateException(name + " exited; its log ends with:\n" + tail(40));
    }
  }

  public String tail(int lines) {
    String[] all = logText().split("\n");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
  }

  private boolean await(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
