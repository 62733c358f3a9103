package io.mpconnect.config;

import org.slf4j.Logger;

/**
 * A worker or api that cannot start says why in one line an operator can act on, and exits at
 * once (no process left running without serving).
 */
public final class StartupFailures {
  /** The message's first line. */
  public static String firstLine(String text) {
    if (text == null || text.isBlank()) {
      return "(no message)";
    }
    return text.strip().lines().findFirst().orElse(text).strip();
  }

  /**
   * Logs {@code error: <reason>} (with the stack trace unless the reason already explains it),
   * prints it on standard error and exits with status 1.
   */
  public static void exit(Logger log, String reason, Throwable cause, boolean explained) {
    String line = "error: " + reason;
    if (explained) {
      log.error(line);
    } else {
      log.error(line, cause);
    }
    System.err.println(line);
    System.err.flush();
    System.exit(1);
  }

  private StartupFailures() {}
}
