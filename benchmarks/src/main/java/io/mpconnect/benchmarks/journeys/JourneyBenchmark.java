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
 * Throughput of complete journeys (register, resolve, sign in, connect, confirm) with many
 * concurrent customers, beside the engine's floor: a minimal workflow with the same number of
 * activities (6) and Updates (2), driven with the same concurrency on the same Temporal server.
 * The ratio is what our code (HTTP, OIDC, PostgreSQL, search attributes, the subscription
 * workflow) costs over Temporal alone.
 *
 * <p>Run: {@code bin/bench journeys}. Knobs: BENCH_JOURNEYS (200), BENCH_CONCURRENCY (50),
 * BENCH_WARMUP (20), BENCH_ROUNDS (2: ours and the floor alternate, to even out a shared
 * machine's noise).
 */
public final class JourneyBenchmark {
  private JourneyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Bench.quietLogs();
    int journeys = Bench.intKnob("BENCH_JOURNEYS", 200);
    int concurrency = Bench.intKnob("BENCH_CONCURRENCY", 50);
    int warmup = Bench.intKnob("BENCH_WARMUP", 20);
    int rounds = Bench.intKnob("BENCH_ROUNDS", 2);
    Bench.log("starting the product (developer mode on free ports); load %s", Bench.loadAverage());
    try (BenchEnvironment env = new BenchEnvironment()) {
      ExecutorService pool = Executors.newFixedThreadPool(concurrency);
      Bench.log("warming up: %d journeys and %d floor workflows", warmup, warmup);
      runJourneys(env, pool, warmup);
      runFloor(env, pool, warmup);
      List<Result> ours = new ArrayList<>();
      List<Result> floor = new ArrayList<>();
      List<Result> visibleFloor = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        Bench.log("round %d: %d journeys, %d at a time", round, journeys, concurrency);
        ours.add(runJourneys(env, pool, journeys));
        Bench.log("  ours:  %s", ours.get(ours.size() - 1));
        floor.add(runFloor(env, pool, journeys));
        Bench.log("  floor: %s", floor.get(floor.size() - 1));
        visibleFloor.add(runFloor(env, pool, journeys, true));
        Bench.log("  floor with 10 search attribute upserts: %s",
            visibleFloor.get(visibleFloor.size() - 1));
      }
      pool.shutdownNow();
      Result a = Result.mean(ours);
      Result b = Result.mean(floor);
      Result c = Result.mean(visibleFloor);
      System.out.println(Bench.table(String.format(Locale.ROOT,
          "Journey throughput: %d complete journeys x %d rounds, %d concurrent customers (load"
              + " at the end: %s)", journeys, rounds, concurrency, Bench.loadAverage()),
          List.of(
              new String[] {"", "mpconnect journey", "engine floor (6 activities, 2 updates)",
                  "ratio (ours / floor)"},
              new String[] {"throughput", fmt("%.1f journeys/s", a.perSecond()),
                  fmt("%.1f workflows/s", b.perSecond()),
                  fmt("%.2fx slower", b.perSecond() / a.perSecond())},
              new String[] {"latency p50", fmt("%.0f ms", a.p50()), fmt("%.0f ms", b.p50()),
                  fmt("%.2fx", a.p50() / b.p50())},
              new String[] {"latency p99", fmt("%.0f ms", a.p99()), fmt("%.0f ms", b.p99()),
                  fmt("%.2fx", a.p99() / b.p99())},
              new String[] {"failed", Integer.toString(a.failed()), Integer.toString(b.failed()),
                  ""})));
      System.out.println(fmt("The floor with the onboarding's 10 search attribute upserts (what"
              + " support filters by): %.1f workflows/s, p50 %.0f ms: ours is %.2fx slower than"
              + " that.", c.perSecond(), c.p50(), c.perSecond() / a.perSecond()));
      System.out.println(breakdown());
      System.out.println(historySizes(env));
    }
    System.exit(0);
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

  static volatile BrowserJourney lastJourney;
  static volatile String lastFloor;

  static Result runJourneys(BenchEnvironment env, ExecutorService pool, int count)
      throws Exception {
    stepSamples.clear();
    return run(pool, count, () -> {
      BrowserJourney journey = new BrowserJourney(env.baseUrl, null);
      journey.register();
      journey.signIn();
      journey.connectNewOrganization();
      journey.awaitConnected();
      stepSamples.add(journey.steps.clone());
      lastJourney = journey;
    });
  }

  /** The Temporal work behind one journey and one floor workflow: their history events. */
  static String historySizes(BenchEnvironment env) {
    int onboarding = env.client.fetchHistory(lastJourney.workflowId()).getEvents().size();
    int subscription;
    try {
      subscription = env.client.fetchHistory(
          lastJourney.subscriptionWorkflowId(env.devMode.setting("MARKETPLACE_PRODUCT_CODE")))
          .getEvents().size();
    } catch (RuntimeException e) {
      subscription = -1;
    }
    int floor = env.client.fetchHistory(lastFloor).getEvents().size();
    return fmt("Temporal history events behind one journey: %d (onboarding %d + subscription"
        + " workflow %d, its run so far) vs %d for the floor workflow", onboarding
        + Math.max(0, subscription), onboarding, subscription, floor);
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
    return run(pool, count, () -> {
      String id = (visible ? FloorWorkflowImpl.VISIBLE : "") + "floor-" + UUID.randomUUID();
      FloorWorkflow floor = env.client.newWorkflowStub(FloorWorkflow.class,
          WorkflowOptions.newBuilder().setTaskQueue(BenchEnvironment.FLOOR_QUEUE)
              .setWorkflowId(id).build());
      WorkflowClient.start(floor::run, id);
      floor.authenticate("user");
      floor.choose("organization");
      WorkflowStub.fromTyped(floor).getResult(String.class);
      lastFloor = id;
    });
  }

  interface Task {
    void run() throws Exception;
  }

  static Result run(ExecutorService pool, int count, Task task) throws Exception {
    long[] latencies = new long[count];
    AtomicInteger failed = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int n = i;
      futures.add(pool.submit(() -> {
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
