package io.mpconnect.standins.metering;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Random;

/** Errors and partial results injected by tests. {@link MeteringStandIn} guards it. */
final class Faults {
  static final long DEFAULT_SEED = 20261126L;

  private record Rate(String errorType, double ratio) {}

  private final Map<String, Queue<String>> scheduled = new HashMap<>();
  private final Map<String, Rate> rates = new HashMap<>();
  private Random random = new Random(DEFAULT_SEED);
  private int unprocessed;
  /** AWS's quota (calls per second per account and region, all operations), or 0 for none. */
  private double quotaPerSecond;
  private double quotaBurst;
  private double tokens;
  private long refilledAt;

  void setQuota(double callsPerSecond, double burst) {
    quotaPerSecond = callsPerSecond;
    quotaBurst = burst;
    tokens = burst;
    refilledAt = System.nanoTime();
  }

  /** A token bucket, as AWS throttles: a call over the quota fails with ThrottlingException. */
  private boolean overQuota() {
    if (quotaPerSecond <= 0) {
      return false;
    }
    long now = System.nanoTime();
    tokens = Math.min(quotaBurst, tokens + (now - refilledAt) / 1e9 * quotaPerSecond);
    refilledAt = now;
    if (tokens < 1) {
      return true;
    }
    tokens -= 1;
    return false;
  }

  void failNext(String operation, String errorType, int times) {
    Queue<String> queue = scheduled.computeIfAbsent(operation, op -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      queue.add(errorType);
    }
  }

  void setRate(String operation, String errorType, double ratio) {
    if (ratio < 0 || ratio > 1) {
      throw new IllegalArgumentException("a failure rate is between 0 and 1: " + ratio);
    }
    if (ratio == 0) {
      rates.remove(operation);
    } else {
      rates.put(operation, new Rate(errorType, ratio));
    }
  }

  void seed(long seed) {
    random = new Random(seed);
  }

  void returnUnprocessed(int count) {
    unprocessed += count;
  }

  /** Throws the error due for this call, scheduled ones first. */
  void maybeFail(String operation) {
    Queue<String> queue = scheduled.get(operation);
    String errorType = queue == null ? null : queue.poll();
    Rate rate = rates.get(operation);
    if (errorType == null && rate != null && random.nextDouble() < rate.ratio()) {
      errorType = rate.errorType();
    }
    if (errorType == null && overQuota()) {
      throw new MeteringError("ThrottlingException", "Rate exceeded (the stand-in's quota)");
    }
    if (errorType != null) {
      throw new MeteringError(errorType, "Injected by the stand-in: " + errorType);
    }
  }

  /** How many of a batch of {@code size} records to hand back unprocessed now. */
  int takeUnprocessed(int size) {
    int count = Math.min(unprocessed, size);
    unprocessed -= count;
    return count;
  }

  void clear() {
    scheduled.clear();
    rates.clear();
    unprocessed = 0;
    quotaPerSecond = 0;
    seed(DEFAULT_SEED);
  }
}
