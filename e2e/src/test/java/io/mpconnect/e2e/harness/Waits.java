package io.mpconnect.e2e.harness;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling with a deadline: end-to-end tests wait for states, never for fixed times. */
public final class Waits {
  public static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polls until the condition holds; fails with {@code what} and the last state otherwise. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "");
  }

  public static void until(
      String what, Duration timeout, BooleanSupplier condition, Supplier<String> lastState) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
        lastError = null;
      } catch (RuntimeException e) {
        lastError = e;
      }
      sleep(Duration.ofMillis(200));
    }
    AssertionError failure =
        new AssertionError("timed out after " + timeout + " waiting for " + what + ". "
            + lastState.get());
    if (lastError != null) {
      failure.initCause(lastError);
    }
    throw failure;
  }

  private Waits() {}
}
