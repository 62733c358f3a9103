package io.mpconnect.activities.metering;

import java.time.Duration;

/**
 * Paces BatchMeterUsage calls of the whole worker process under a rate (AWS allows about 10 per
 * second per account and region; several activities may send at once). A throttled call widens
 * the interval by a quarter, up to four times the configured one; every accepted call narrows it
 * back by a tenth, so a burst of throttling slows the pace and an odd throttle hardly does.
 */
public final class CallPacer {
  private final long baseIntervalNanos;
  private long intervalNanos;
  private long nextSlot = System.nanoTime();

  public CallPacer(double maxCallsPerSecond) {
    if (!(maxCallsPerSecond > 0)) {
      throw new IllegalArgumentException("a rate is above 0: " + maxCallsPerSecond);
    }
    this.baseIntervalNanos = (long) (1_000_000_000L / maxCallsPerSecond);
    this.intervalNanos = baseIntervalNanos;
  }

  /** Waits for the next call slot. */
  public void acquire() throws InterruptedException {
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long slot = Math.max(now, nextSlot);
      nextSlot = slot + intervalNanos;
      wait = slot - now;
    }
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }

  public synchronized void throttled() {
    intervalNanos = Math.min(baseIntervalNanos * 4, intervalNanos + intervalNanos / 4);
  }

  public synchronized void accepted() {
    intervalNanos = Math.max(baseIntervalNanos, intervalNanos - intervalNanos / 10);
  }

  public synchronized Duration interval() {
    return Duration.ofNanos(intervalNanos);
  }
}
