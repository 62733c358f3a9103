package io.mpconnect.e2e.harness;

import io.mpconnect.standins.temporal.LoopbackPorts;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ports for the end-to-end tests. Whatever can bind port 0 itself does (the worker's status
 * server, the stand-ins in this JVM, GreenMail, PostgreSQL and Temporal through their launchers),
 * and the port it got is read back. {@link #free} is only for what must be told its port ahead
 * (the api's port is in its PUBLIC_BASE_URL; the developer mode's Temporal): a loopback port free
 * now, outside the kernel's ephemeral range, never the developer mode's defaults, never the same
 * one twice a run ({@link LoopbackPorts#pick}). Such a port can still be taken before it is bound,
 * so every start that uses one retries on a new port when it fails with "address already in use"
 * ({@link #retryOnAddressInUse}).
 */
public final class Ports {
  private static final Logger log = LoggerFactory.getLogger(Ports.class);

  /** Starts retried on new ports before giving up. */
  public static final int START_ATTEMPTS = 5;

  public static int free() {
    return LoopbackPorts.pick();
  }

  /** True when the failure (or its causes, or a process's output) says a port was taken. */
  public static boolean isAddressInUse(Throwable failure) {
    return LoopbackPorts.isAddressInUse(failure);
  }

  public static boolean isAddressInUse(String output) {
    return LoopbackPorts.isAddressInUse(output);
  }

  /** One start on ports chosen for it; it releases whatever it started before it throws. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run(int attempt) throws Exception;
  }

  /**
   * Runs {@code attempt} until it succeeds, again (with the next attempt number, for new ports)
   * when it failed with "address already in use", at most {@value #START_ATTEMPTS} times. Any other
   * failure, and the last one, is thrown.
   */
  public static <T> T retryOnAddressInUse(String what, Attempt<T> attempt) {
    for (int n = 1; ; n++) {
      try {
        return attempt.run(n);
      } catch (Exception | AssertionError e) {
        if (n >= START_ATTEMPTS || !isAddressInUse(e)) {
          if (e instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (e instanceof AssertionError assertion) {
            throw assertion;
          }
          throw new IllegalStateException("cannot start " + what, e);
        }
        log.warn("{}: a port was taken before it was bound ({}); starting again on new ports"
            + " (attempt {} of {})", what, e.getMessage(), n + 1, START_ATTEMPTS);
      }
    }
  }

  /** The port in the last "{@code <prefix><host>:<port>}" of a log (JSON or text), if any. */
  public static Integer portAfter(String prefix, String log) {
    Matcher matcher = Pattern.compile(Pattern.quote(prefix) + "[^\\s:\"]+:(\\d+)").matcher(log);
    Integer port = null;
    while (matcher.find()) {
      port = Integer.parseInt(matcher.group(1));
    }
    return port;
  }

  private Ports() {}
}
