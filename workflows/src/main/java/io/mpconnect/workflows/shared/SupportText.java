package io.mpconnect.workflows.shared;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How times and durations read in what the Temporal UI shows support (summaries, current
 * details, timer and activity summaries). Pure functions: safe in workflow code.
 */
public final class SupportText {
  private static final DateTimeFormatter AT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  /** A workflow time ({@code Workflow.currentTimeMillis()}), e.g. "2026-12-01 04:12:03 UTC". */
  public static String at(long epochMillis) {
    return AT.format(Instant.ofEpochMilli(epochMillis));
  }

  /** A timeout as people say it: "1h", "30m", "1h30m", "45s". */
  public static String duration(Duration d) {
    if (d == null) {
      return "?";
    }
    long seconds = d.getSeconds();
    StringBuilder b = new StringBuilder();
    if (seconds >= 3600) {
      b.append(seconds / 3600).append('h');
    }
    if (seconds % 3600 >= 60) {
      b.append(seconds % 3600 / 60).append('m');
    }
    if (seconds % 60 > 0 || b.length() == 0) {
      b.append(seconds % 60).append('s');
    }
    return b.toString();
  }

  private SupportText() {}
}
