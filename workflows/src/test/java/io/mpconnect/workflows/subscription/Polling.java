package io.mpconnect.workflows.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls in real time (activities and signals run at once, no workflow timer is involved). */
final class Polling {
  static void awaitTrue(Duration wait, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.get()) {
      assertThat(System.nanoTime()).as("condition met within " + wait).isLessThan(deadline);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private Polling() {}
}
