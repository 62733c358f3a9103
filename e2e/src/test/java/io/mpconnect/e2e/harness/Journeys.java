package io.mpconnect.e2e.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Customers acting at the same time, each on its own thread, as people do. */
public final class Journeys implements AutoCloseable {
  private final ExecutorService threads;
  private final List<Future<?>> running = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  public Journeys() {
    this(16);
  }

  public Journeys(int parallelism) {
    threads = Executors.newFixedThreadPool(parallelism, r -> {
      Thread thread = new Thread(r, "journey");
      thread.setDaemon(true);
      return thread;
    });
  }

  public synchronized void run(Runnable journey) {
    running.add(threads.submit(journey));
  }

  /** Closed with this (e.g. a lock that must not outlive the test). */
  public synchronized void closing(AutoCloseable resource) {
    closing.add(resource);
  }

  /** Waits for every journey; the first failure is rethrown with the others suppressed. */
  public void awaitAll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Future<?>> all;
    synchronized (this) {
      all = new ArrayList<>(running);
      running.clear();
    }
    AssertionError failure = null;
    for (Future<?> future : all) {
      try {
        future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        failure = add(failure, e.getCause());
      } catch (TimeoutException e) {
        failure = add(failure, new AssertionError("a journey did not finish within " + timeout));
        future.cancel(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static AssertionError add(AssertionError failure, Throwable cause) {
    if (failure == null) {
      return new AssertionError("journey failed: " + cause, cause);
    }
    failure.addSuppressed(cause);
    return failure;
  }

  @Override
  public void close() {
    threads.shutdownNow();
    for (AutoCloseable resource : closing) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // best effort at the end of a test
      }
    }
  }
}
