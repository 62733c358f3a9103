package io.mpconnect.api.limits;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds up to {@code burst} tokens, refilled continuously at {@code perSecond}.
 * Thread-safe; a few dozen bytes, so one per client is affordable.
 */
final class TokenBucket {
  private final double burst;
  private final double perNano;
  private final LongSupplier nanoClock;
  private double tokens;
  private long refilledAt;

  TokenBucket(double perSecond, int burst, LongSupplier nanoClock) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("a bucket needs a positive rate and a burst of at least 1");
    }
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.refilledAt = nanoClock.getAsLong();
  }

  /**
   * Takes a token: 0 when one was available, else how many nanoseconds until one will be (nothing
   * is taken then).
   */
  synchronized long tryTake() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / perNano);
  }

  /** True when the bucket is full again, i.e. forgetting it changes nothing. */
  synchronized boolean isFull() {
    long now = nanoClock.getAsLong();
    return tokens + (now - refilledAt) * perNano >= burst;
  }

  /** Whole seconds to wait for {@code nanos}, at least 1 (the Retry-After header's unit). */
  static long retryAfterSeconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }
}
