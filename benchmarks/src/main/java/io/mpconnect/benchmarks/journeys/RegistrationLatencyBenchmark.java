package io.mpconnect.benchmarks.journeys;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registration latency (the fulfillment URL's POST until its 303) with 50 concurrent clients,
 * p50/p99, beside the engine's floor: a bare workflow start round trip from the same JVM to the
 * same Temporal server with the same concurrency (the one Temporal call a registration makes).
 *
 * <p>Run: {@code bin/bench registration}. Knobs: BENCH_REGISTRATIONS (1000), BENCH_CLIENTS (50),
 * BENCH_WARMUP (100), BENCH_ROUNDS (2: the floor and ours alternate).
 */
public final class RegistrationLatencyBenchmark {
  private RegistrationLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Bench.quietLogs();
    int count = Bench.intKnob("BENCH_REGISTRATIONS", 1000);
    int clients = Bench.intKnob("BENCH_CLIENTS", 50);
    int warmup = Bench.intKnob("BENCH_WARMUP", 100);
    Bench.log("starting the product (developer mode on free ports); load %s", Bench.loadAverage());
    try (BenchEnvironment env = new BenchEnvironment()) {
      Bench.log("warming up: %d registrations and %d bare starts", warmup, warmup);
      registrations(env, warmup, clients);
      bareStarts(env, warmup, clients);
      int rounds = Bench.intKnob("BENCH_ROUNDS", 2);
      List<Sample> oursRounds = new java.util.ArrayList<>();
      List<Sample> floorRounds = new java.util.ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        // The floor first, then ours, each round: neither always runs behind the other's backlog.
        Bench.log("round %d: %d bare starts, then %d registrations, %d concurrent clients",
            round, count, count, clients);
        floorRounds.add(bareStarts(env, count, clients));
        Bench.log("  floor: %s", floorRounds.get(floorRounds.size() - 1));
        oursRounds.add(registrations(env, count, clients));
        Bench.log("  ours:  %s", oursRounds.get(oursRounds.size() - 1));
      }
      Sample ours = Sample.mean(oursRounds);
      Sample floor = Sample.mean(floorRounds);
      System.out.println(Bench.table(String.format(Locale.ROOT,
          "Registration latency: %d POSTs to the fulfillment URL x %d rounds, %d concurrent"
              + " clients (load at the end: %s)", count, rounds, clients, Bench.loadAverage()),
          List.of(
              new String[] {"", "POST register -> 303", "bare workflow start (floor)",
                  "ratio (ours / floor)"},
              row("p50", ours.p50(), floor.p50()),
              row("p99", ours.p99(), floor.p99()),
              new String[] {"throughput", fmt("%.0f/s", ours.perSecond()),
                  fmt("%.0f/s", floor.perSecond()),
                  fmt("%.2fx", floor.perSecond() / ours.perSecond())},
              new String[] {"failed", Integer.toString(ours.failed()),
                  Integer.toString(floor.failed()), ""})));
    }
    System.exit(0);
  }

  record Sample(int count, double seconds, double p50, double p99, int failed) {
    double perSecond() {
      return count / seconds;
    }

    static Sample mean(List<Sample> samples) {
      return new Sample(samples.get(0).count(),
          samples.stream().mapToDouble(Sample::seconds).average().orElse(0),
          samples.stream().mapToDouble(Sample::p50).average().orElse(0),
          samples.stream().mapToDouble(Sample::p99).average().orElse(0),
          samples.stream().mapToInt(Sample::failed).sum());
    }

    @Override
    public String toString() {
      return fmt("%d in %.1f s, p50 %.1f ms, p99 %.1f ms, %d failed", count, seconds, p50, p99,
          failed);
    }
  }

  static Sample registrations(BenchEnvironment env, int count, int clients) throws Exception {
    return measure(count, clients, () -> new BrowserJourney(env.baseUrl).register());
  }

  static Sample bareStarts(BenchEnvironment env, int count, int clients) throws Exception {
    return measure(count, clients, () -> {
      FloorWorkflow floor = env.client.newWorkflowStub(FloorWorkflow.class,
          WorkflowOptions.newBuilder().setTaskQueue(BenchEnvironment.FLOOR_QUEUE)
              .setWorkflowId("floor-start-" + UUID.randomUUID()).build());
      long started = System.nanoTime();
      WorkflowClient.start(floor::run, "x");
      return System.nanoTime() - started;
    });
  }

  interface Timed {
    long run() throws Exception;
  }

  /** {@code clients} threads, each taking the next request until {@code count} are done. */
  static Sample measure(int count, int clients, Timed request) throws Exception {
    long[] latencies = new long[count];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(clients);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long started = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      pool.execute(() -> {
        int i;
        while ((i = next.getAndIncrement()) < count) {
          try {
            latencies[i] = request.run();
          } catch (Exception e) {
            latencies[i] = Long.MAX_VALUE / 4;
            if (failed.incrementAndGet() <= 3) {
              System.err.println("[bench] failed: " + e);
            }
          }
        }
        done.countDown();
      });
    }
    done.await();
    double seconds = (System.nanoTime() - started) / 1e9;
    pool.shutdown();
    return new Sample(count, seconds, Bench.percentileMillis(latencies, 50),
        Bench.percentileMillis(latencies, 99), failed.get());
  }

  static String[] row(String name, double ours, double floor) {
    return new String[] {name, fmt("%.1f ms", ours), fmt("%.1f ms", floor),
        fmt("%.2fx", ours / floor)};
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
