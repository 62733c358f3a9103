package io.mpconnect.e2e.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of the worker and api processes: the e2e module's dependency classpath, which the
 * build writes to {@code target/e2e-classpath.txt} (maven-dependency-plugin build-classpath).
 */
final class Classpath {
  private static List<String> snapshot;

  /**
   * Our own modules' jars are copied once per test run: a {@code mvn install} elsewhere on the
   * machine replaces them in the local repository, and a running JVM whose jar changed under it
   * fails to load classes.
   */
  static synchronized List<String> forChildProcesses() {
    if (snapshot == null) {
      snapshot = snapshotOwnJars(read());
    }
    return snapshot;
  }

  private static List<String> snapshotOwnJars(List<String> entries) {
    Path dir = Stack.targetDirectory().resolve("e2e-lib").resolve(Long.toString(ProcessHandle.current().pid()));
    List<String> result = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      for (String entry : entries) {
        Path path = Path.of(entry);
        if (entry.replace('\\', '/').contains("/io/mpconnect/") && Files.isRegularFile(path)) {
          Path copy = dir.resolve(path.getFileName());
          Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          result.add(copy.toString());
        } else {
          result.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(result);
  }

  private static List<String> read() {
    String file = System.getProperty("e2e.classpathFile");
    if (file == null || !Files.exists(Path.of(file))) {
      throw new IllegalStateException("The e2e classpath file " + file + " is missing: run the"
          + " tests through Maven (mvn test -pl e2e), which writes it in generate-test-resources.");
    }
    try {
      String text = Files.readString(Path.of(file)).strip();
      return List.copyOf(Arrays.asList(text.split(File.pathSeparator)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final List<String> PROCESS_MODULES = List.of("worker", "api", "devmode");

  /**
   * The entries one process needs, as in its container image: the module's own jar first and
   * the other processes' modules left out, so exactly one logback.xml is on the classpath.
   */
  static List<String> withFirst(List<String> classpath, String module) {
    List<String> ordered = new ArrayList<>();
    List<String> others = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String entry : classpath) {
      String owner = PROCESS_MODULES.stream().filter(m -> isModule(entry, m)).findFirst().orElse(null);
      if (module.equals(owner)) {
        ordered.add(entry);
      } else if (owner == null) {
        rest.add(entry);
      } else {
        others.add(entry);
      }
    }
    // The developer mode runs the worker and the api in its own JVM: it needs their classes
    // (after its own jar, so its logback.xml is the one found).
    if (module.equals("devmode")) {
      ordered.addAll(others);
    }
    ordered.addAll(rest);
    return ordered;
  }

  private static boolean isModule(String entry, String module) {
    String normalized = entry.replace('\\', '/');
    return normalized.contains("/" + module + "-0")
        || normalized.endsWith("/" + module + "/target/classes");
  }

  private Classpath() {}
}
