package io.mpconnect.benchmarks.journeys;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throughput of complete journeys (register, resolve, sign in, connect, confirmed) with many
 * concurrent customers driving the public HTTP contract, beside the engine's floor: a minimal
 * workflow of the journey's shape (6 no-op activities, 2 Updates, one with a validator) driven
 * directly with the Temporal client, with the same concurrency on the same Temporal server. Each
 * round runs the floor, our journeys, and the floor again, so a drift of the machine shows as a
 * difference between the two floors. The ratio is what our code (HTTP, OIDC, PostgreSQL, search
 * attributes, the subscription workflow) costs over Temporal alone.
 *
 * <p>It prints journeys/s of each and the ratio, the registration's latency (POST -> 303) beside
 * a bare workflow start, history events per journey beside the floor's, and CPU seconds per
 * journey of the api, the worker, the Temporal server and PostgreSQL ({@link CpuMeter}).
 *
 * <p>Run: {@code bin/bench journeys}. Knobs: BENCH_JOURNEYS (200), BENCH_CONCURRENCY (20),
 * BENCH_WARMUP (20), BENCH_ROUNDS (1), BENCH_RAMP_MILLIS (1000), BENCH_UPSERT_FLOOR (0; 1 adds a floor run with a search
 * attribute upsert per step).
 */
public final class JourneyBenchmark {
  private JourneyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Bench.quietLogs();
    int journeys = Bench.intKnob("BENCH_JOURNEYS", 200);
    int concurrency = Bench.intKnob("BENCH_CONCURRENCY", 20);
    int warmup = Bench.intKnob("BENCH_WARMUP", 20);
    int rounds = Bench.intKnob("BENCH_ROUNDS", 1);
    Bench.log("starting the product (developer mode on free ports); load %s", Bench.loadAverage());
    try (BenchEnvironment env = new BenchEnvironment()) {
      ExecutorService pool = Executors.newFixedThreadPool(concurrency);
      Bench.log("warming up: %d journeys and %d floor workflows", warmup, warmup);
      runJourneys(env, pool, warmup);
      runFloor(env, pool, warmup);
      List<Result> ours = new ArrayList<>();
      List<Result> before = new ArrayList<>();
      List<Result> after = new ArrayList<>();
      double[] cpu = new double[CpuMeter.PARTS.length];
      double[] floorCpu = new double[CpuMeter.PARTS.length];
      ServerRequests serverOurs = ServerRequests.parse("");
      ServerRequests serverFloor = ServerRequests.parse("");
      for (int round = 1; round <= rounds; round++) {
        Bench.log("round %d: %d journeys, %d at a time", round, journeys, concurrency);
        CpuMeter floorMeter = CpuMeter.start(env.home);
        ServerRequests floorStart = ServerRequests.scrape(env.temporalMetricsPort);
        before.add(runFloor(env, pool, journeys));
        add(floorCpu, floorMeter.stop());
        ServerRequests floorEnd = ServerRequests.scrape(env.temporalMetricsPort);
        serverFloor = serverFloor.plus(floorEnd.minus(floorStart));
        Bench.log("  floor before: %s", last(before));
        CpuMeter meter = CpuMeter.start(env.home);
        ProbeStarts probes = ProbeStarts.start(env);
        ours.add(runJourneys(env, pool, journeys));
        probeStarts.addAll(probes.stop());
        add(cpu, meter.stop());
        serverOurs = serverOurs.plus(
            ServerRequests.scrape(env.temporalMetricsPort).minus(floorEnd));
        Bench.log("  ours:         %s", last(ours));
        after.add(runFloor(env, pool, journeys));
        Bench.log("  floor after:  %s", last(after));
      }
      // BENCH_UPSERT_FLOOR=1: the floor with the onboarding's step upserts, to price them.
      Result upserting = Bench.intKnob("BENCH_UPSERT_FLOOR", 0) == 1
          ? runFloor(env, pool, journeys, true) : null;
      pool.shutdownNow();
      Result a = Result.mean(ours);
      Result b = Result.mean(before);
      Result c = Result.mean(after);
      double floor = (b.perSecond() + c.perSecond()) / 2;
      System.out.println(Bench.table(String.format(Locale.ROOT,
          "Journey throughput: %d complete journeys x %d rounds, %d concurrent customers (load"
              + " at the end: %s)", journeys, rounds, concurrency, Bench.loadAverage()),
          List.of(
              new String[] {"", "floor before", "mpconnect journeys", "floor after"},
              new String[] {"throughput", fmt("%.2f workflows/s", b.perSecond()),
                  fmt("%.2f journeys/s", a.perSecond()), fmt("%.2f workflows/s", c.perSecond())},
              new String[] {"latency p50", fmt("%.0f ms", b.p50()), fmt("%.0f ms", a.p50()),
                  fmt("%.0f ms", c.p50())},
              new String[] {"latency p99", fmt("%.0f ms", b.p99()), fmt("%.0f ms", a.p99()),
                  fmt("%.0f ms", c.p99())},
              new String[] {"failed", Integer.toString(b.failed()), Integer.toString(a.failed()),
                  Integer.toString(c.failed())})));
      long[] registrations = stepSamples.stream().mapToLong(x -> x[0]).toArray();
      long[] starts = floorStarts.stream().mapToLong(Long::longValue).toArray();
      long[] probed = probeStarts.stream().mapToLong(Long::longValue).toArray();
      double[] events = historyEvents(env);
      System.out.println(fmt("RESULT journeys/s %.2f, floor %.2f (before %.2f, after %.2f):"
              + " ratio %.2fx of the floor", a.perSecond(), floor, b.perSecond(), c.perSecond(),
          a.perSecond() / floor));
      System.out.println(fmt("RESULT registration (POST -> 303) p50 %.0f ms, p99 %.0f ms; a bare"
              + " workflow start under the same load (%d probes) p50 %.0f ms, p99 %.0f ms: p99"
              + " %.2fx (a bare start in the floor's runs: p50 %.0f ms, p99 %.0f ms)",
          Bench.percentileMillis(registrations, 50), Bench.percentileMillis(registrations, 99),
          probed.length, Bench.percentileMillis(probed, 50), Bench.percentileMillis(probed, 99),
          Bench.percentileMillis(registrations, 99) / Bench.percentileMillis(probed, 99),
          Bench.percentileMillis(starts, 50), Bench.percentileMillis(starts, 99)));
      System.out.println(fmt("RESULT history events per journey %.1f (onboarding %.1f +"
              + " subscription %.1f) vs %.1f for the floor: %.2fx", events[0] + events[1],
          events[0], events[1], events[2], (events[0] + events[1]) / events[2]));
      if (upserting != null) {
        System.out.println(fmt("The floor with a search attribute upsert per step: %s", upserting));
      }
      System.out.println(cpuTable(cpu, floorCpu, journeys * rounds));
      // The start probes (about 4/s) run beside the journeys and are counted with them.
      System.out.println(ServerRequests.table(serverOurs, journeys * rounds, serverFloor,
          journeys * rounds));
      System.out.println(breakdown());
    }
    System.exit(0);
  }

  private static Result last(List<Result> results) {
    return results.get(results.size() - 1);
  }

  private static void add(double[] sum, double[] more) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += more[i];
    }
  }

  /** CPU seconds per journey by part, and the floor's per workflow. */
  static String cpuTable(double[] cpu, double[] floorCpu, int count) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"part", "per journey", "per floor workflow"});
    double total = 0;
    double floorTotal = 0;
    for (int i = 0; i < CpuMeter.PARTS.length; i++) {
      rows.add(new String[] {CpuMeter.PARTS[i], fmt("%.1f ms", 1000 * cpu[i] / count),
          fmt("%.1f ms", 1000 * floorCpu[i] / count)});
      total += cpu[i];
      floorTotal += floorCpu[i];
    }
    rows.add(new String[] {"all", fmt("%.1f ms", 1000 * total / count),
        fmt("%.1f ms", 1000 * floorTotal / count)});
    return Bench.table("CPU per journey (process accounting and per-thread CPU time; the"
        + " journey's HTTP clients run in this JVM and count as shared)", rows);
  }

  record Result(int count, double seconds, double p50, double p99, int failed) {
    double perSecond() {
      return (count - failed) / seconds;
    }

    static Result mean(List<Result> results) {
      return new Result(results.get(0).count(),
          results.stream().mapToDouble(Result::seconds).average().orElse(0),
          results.stream().mapToDouble(Result::p50).average().orElse(0),
          results.stream().mapToDouble(Result::p99).average().orElse(0),
          results.stream().mapToInt(Result::failed).sum());
    }

    @Override
    public String toString() {
      return fmt("%d in %.1f s = %.1f/s, p50 %.0f ms, p99 %.0f ms, %d failed", count, seconds,
          perSecond(), p50, p99, failed);
    }
  }

  /** Each step's samples of the last run of journeys, for the breakdown. */
  static final List<long[]> stepSamples = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** How many of the last journeys and floor workflows the history counts average over. */
  static final int SAMPLED = 20;
  static final java.util.Deque<BrowserJourney> lastJourneys =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  static final java.util.Deque<String> lastFloors =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  /** Nanoseconds each start probe took while the journeys ran (every round). */
  static final List<Long> probeStarts = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Starts a {@link StartProbeWorkflow} every {@link #PROBE_EVERY_MILLIS} while the journeys run,
   * one at a time, timing each start's round trip.
   */
  static final class ProbeStarts {
    static final long PROBE_EVERY_MILLIS = 250;
    private final List<Long> took = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private ProbeStarts(BenchEnvironment env) {
      thread = new Thread(() -> {
        while (running) {
          StartProbeWorkflow probe = env.client.newWorkflowStub(StartProbeWorkflow.class,
              WorkflowOptions.newBuilder().setTaskQueue(BenchEnvironment.FLOOR_QUEUE)
                  .setWorkflowId("probe-" + UUID.randomUUID()).build());
          long starting = System.nanoTime();
          try {
            WorkflowClient.start(probe::probe);
            took.add(System.nanoTime() - starting);
          } catch (RuntimeException e) {
            System.err.println("[bench] probe start failed: " + e
                + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
          }
          try {
            Thread.sleep(PROBE_EVERY_MILLIS);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-probe");
      thread.start();
    }

    static ProbeStarts start(BenchEnvironment env) {
      return new ProbeStarts(env);
    }

    /** Lets the probe in flight finish (an interrupt would cancel its call): at most a pause. */
    List<Long> stop() throws InterruptedException {
      running = false;
      thread.join();
      return took;
    }
  }

  /** Nanoseconds each floor workflow's start took (the last run). */
  static final List<Long> floorStarts = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static <T> void keep(java.util.Deque<T> last, T item) {
    last.addLast(item);
    while (last.size() > SAMPLED) {
      last.pollFirst();
    }
  }

  static Result runJourneys(BenchEnvironment env, ExecutorService pool, int count)
      throws Exception {
    stepSamples.clear();
    return run(pool, count, () -> {
      BrowserJourney journey = new BrowserJourney(env.baseUrl);
      journey.register();
      journey.signIn();
      journey.connectNewOrganization();
      journey.awaitConnected();
      stepSamples.add(journey.steps.clone());
      keep(lastJourneys, journey);
    });
  }

  /**
   * History events per journey (its onboarding and its subscription workflow, the run so far)
   * and per floor workflow, averaged over the last {@link #SAMPLED} of each.
   */
  static double[] historyEvents(BenchEnvironment env) {
    String productCode = env.devMode.setting("MARKETPLACE_PRODUCT_CODE");
    double onboarding = 0;
    double subscription = 0;
    for (BrowserJourney journey : lastJourneys) {
      onboarding += env.client.fetchHistory(journey.workflowId()).getEvents().size();
      try {
        subscription += env.client.fetchHistory(journey.subscriptionWorkflowId(productCode))
            .getEvents().size();
      } catch (RuntimeException none) {
        // No subscription workflow (yet): nothing to count.
      }
    }
    double floor = 0;
    for (String id : lastFloors) {
      floor += env.client.fetchHistory(id).getEvents().size();
    }
    return new double[] {onboarding / lastJourneys.size(), subscription / lastJourneys.size(),
        floor / lastFloors.size()};
  }

  /** Where a journey's time goes (the last round): p50 and p99 of each step. */
  static String breakdown() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"step", "p50", "p99"});
    for (int step = 0; step < BrowserJourney.STEP_NAMES.length; step++) {
      int s = step;
      long[] samples = stepSamples.stream().mapToLong(a -> a[s]).toArray();
      rows.add(new String[] {BrowserJourney.STEP_NAMES[step],
          fmt("%.0f ms", Bench.percentileMillis(samples, 50)),
          fmt("%.0f ms", Bench.percentileMillis(samples, 99))});
    }
    return Bench.table("Where a journey's time goes (last round)", rows);
  }

  static Result runFloor(BenchEnvironment env, ExecutorService pool, int count) throws Exception {
    return runFloor(env, pool, count, false);
  }

  static Result runFloor(BenchEnvironment env, ExecutorService pool, int count, boolean visible)
      throws Exception {
    floorStarts.clear();
    return run(pool, count, () -> {
      String id = (visible ? FloorWorkflowImpl.VISIBLE : "") + "floor-" + UUID.randomUUID();
      FloorWorkflow floor = env.client.newWorkflowStub(FloorWorkflow.class,
          WorkflowOptions.newBuilder().setTaskQueue(BenchEnvironment.FLOOR_QUEUE)
              .setWorkflowId(id).build());
      long starting = System.nanoTime();
      WorkflowClient.start(floor::run, id);
      floorStarts.add(System.nanoTime() - starting);
      floor.authenticate("user");
      floor.choose("organization");
      WorkflowStub.fromTyped(floor).getResult(String.class);
      keep(lastFloors, id);
    });
  }

  interface Task {
    void run() throws Exception;
  }

  /**
   * Over how long the first customers (one per concurrent slot) arrive: spread evenly, as
   * browsers arriving independently do. All at the same instant, the first wave's registrations
   * queued behind each other and made the whole run's p99 (BENCH_RAMP_MILLIS, 0 for none).
   */
  static final long RAMP_MILLIS = Bench.intKnob("BENCH_RAMP_MILLIS", 1000);

  static Result run(ExecutorService pool, int count, Task task) throws Exception {
    long[] latencies = new long[count];
    AtomicInteger failed = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    int slots = ((java.util.concurrent.ThreadPoolExecutor) pool).getCorePoolSize();
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int n = i;
      futures.add(pool.submit(() -> {
        if (n < slots) {
          try {
            Thread.sleep(RAMP_MILLIS * n / slots);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        long t = System.nanoTime();
        try {
          task.run();
        } catch (Exception e) {
          if (failed.incrementAndGet() <= 3) {
            System.err.println("[bench] failed: " + e);
          }
        }
        latencies[n] = System.nanoTime() - t;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new Result(count, seconds, Bench.percentileMillis(latencies, 50),
        Bench.percentileMillis(latencies, 99), failed.get());
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
