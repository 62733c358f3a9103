package io.mpconnect.benchmarks.journeys;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the journey benchmarks share: knobs, free ports, percentiles, quiet logs, the report. */
final class Bench {
  private Bench() {}

  static int intKnob(String name, int fallback) {
    String value = System.getProperty(name, System.getenv(name));
    return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
  }

  static String knob(String name, String fallback) {
    String value = System.getProperty(name, System.getenv(name));
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  /** The benchmark's own figures matter, not the product's INFO lines. */
  static void quietLogs() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.WARN);
  }

  /** A port outside the kernel's ephemeral range, so nothing else takes it before it is bound. */
  static int freePort() {
    return io.mpconnect.standins.temporal.LoopbackPorts.pick();
  }

  /** The p-th percentile (0..100) of nanosecond samples, in milliseconds. */
  static double percentileMillis(long[] nanos, double p) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** A small table: the figure, its baseline, and ours over the engine's floor. */
  static String table(String title, List<String[]> rows) {
    StringBuilder out = new StringBuilder("\n").append(title).append("\n");
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder("| ");
      for (int i = 0; i < widths.length; i++) {
        line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", rows.get(r)[i])).append(" | ");
      }
      out.append(line.toString().stripTrailing()).append("\n");
      if (r == 0) {
        StringBuilder rule = new StringBuilder("|");
        for (int width : widths) {
          rule.append("-".repeat(width + 2)).append("|");
        }
        out.append(rule).append("\n");
      }
    }
    return out.toString();
  }
}
