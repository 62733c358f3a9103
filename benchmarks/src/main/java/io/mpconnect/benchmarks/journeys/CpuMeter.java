package io.mpconnect.benchmarks.journeys;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time spent during a phase of the benchmark, by part. The api and the worker run in this JVM
 * (the developer mode), so their shares come from per-thread CPU time grouped by thread name
 * (the api's Jetty pool is "api-http", the Temporal SDK names its threads by task queue and
 * workflow; the stand-ins and the benchmark's own HTTP clients are apart); what no live thread
 * accounts for (threads that ended, gRPC's shared event loops, GC, the JIT) is "shared". The
 * Temporal dev server and PostgreSQL are processes of their own, read from /proc.
 */
final class CpuMeter {
  static final String[] PARTS =
      {"api", "worker", "floor worker", "stand-ins (SQS, OIDC, AWS)", "benchmark's HTTP clients",
          "shared (gRPC, GC, JIT, ended threads)", "Temporal dev server", "PostgreSQL"};
  private static final int SHARED = 5;
  private static final int TEMPORAL = 6;
  private static final int POSTGRES = 7;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> startThreads = new LinkedHashMap<>();
  private final long startProcess;
  private final Map<String, Long> startChildren;

  /** The developer mode's directory: its PostgreSQL's data directory is below it. */
  private final String home;

  private CpuMeter(String home) {
    this.home = home;
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu >= 0) {
        startThreads.put(id, cpu);
      }
    }
    startProcess = processCpuNanos();
    startChildren = childrenCpuNanos();
  }

  static CpuMeter start(Path home) {
    return new CpuMeter(home.toString());
  }

  /** Seconds of CPU per part since {@link #start()}, in the order of {@link #PARTS}. */
  double[] stop() {
    long process = processCpuNanos() - startProcess;
    Map<String, Long> children = childrenCpuNanos();
    long[] byPart = new long[PARTS.length];
    long attributed = 0;
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      ThreadInfo info = threads.getThreadInfo(id);
      if (cpu < 0 || info == null) {
        continue;
      }
      long spent = cpu - startThreads.getOrDefault(id, 0L);
      int part = partOf(info.getThreadName());
      if (part >= 0) {
        byPart[part] += spent;
        attributed += spent;
      }
    }
    byPart[SHARED] = Math.max(0, process - attributed);
    byPart[TEMPORAL] =
        children.getOrDefault("temporal", 0L) - startChildren.getOrDefault("temporal", 0L);
    byPart[POSTGRES] =
        children.getOrDefault("postgres", 0L) - startChildren.getOrDefault("postgres", 0L);
    double[] seconds = new double[PARTS.length];
    for (int i = 0; i < PARTS.length; i++) {
      seconds[i] = byPart[i] / 1e9;
    }
    return seconds;
  }

  /** The index in {@link #PARTS}, -1 for shared. */
  static int partOf(String name) {
    if (name.startsWith("api-http")) {
      return 0;
    }
    if (name.startsWith("elasticmq") || name.startsWith("MockWebServer")
        || (name.startsWith("metering") && !name.startsWith("metering-local"))) {
      return 3;
    }
    if (name.startsWith("pool-") || name.startsWith("HttpClient")) {
      return 4;
    }
    if (name.contains(BenchEnvironment.FLOOR_QUEUE) || name.contains("floor-")) {
      return 2;
    }
    if (name.contains("taskQueue=") || name.startsWith("workflow-") || name.startsWith("Workflow")
        || name.startsWith("Activity") || name.startsWith("Local Activity")
        || name.startsWith("outbox") || name.startsWith("lifecycle-events")
        || name.startsWith("onboarding-meters") || name.startsWith("metering-local")) {
      return 1;
    }
    return -1;
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * User and system CPU, with ended children's, of the Temporal dev server (a child of this JVM)
   * and of PostgreSQL (pg_ctl daemonizes it: found by its data directory below {@link #home}),
   * each with its descendants, from /proc/<pid>/stat.
   */
  private Map<String, Long> childrenCpuNanos() {
    Map<String, Long> out = new LinkedHashMap<>();
    ProcessHandle.current().descendants()
        .filter(p -> p.info().command().orElse("").contains("temporal"))
        .forEach(p -> out.merge("temporal", cpuNanos(p), Long::sum));
    ProcessHandle.allProcesses()
        .filter(p -> p.info().command().orElse("").contains("postgres"))
        .filter(p -> String.join(" ", p.info().arguments().orElse(new String[0])).contains(home))
        .forEach(p -> {
          out.merge("postgres", cpuNanos(p), Long::sum);
          p.descendants().forEach(child -> out.merge("postgres", cpuNanos(child), Long::sum));
        });
    return out;
  }

  private static long cpuNanos(ProcessHandle p) {
    long ticksPerSecond = 100; // USER_HZ on Linux
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // utime and stime, and cutime and cstime (children that ended: PostgreSQL's backends).
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12])
          + Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      return ticks * 1_000_000_000L / ticksPerSecond;
    } catch (IOException | RuntimeException gone) {
      return 0; // the process ended meanwhile: nothing to count
    }
  }
}
