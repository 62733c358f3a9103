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
 * workflow); what no live thread accounts for (threads that ended, gRPC's shared event loops, GC,
 * the JIT) is "shared". The Temporal dev server and PostgreSQL are child processes, read from
 * /proc.
 */
final class CpuMeter {
  static final String[] PARTS =
      {"api", "worker", "floor worker", "shared (gRPC, GC, JIT, ended threads)",
          "Temporal dev server", "PostgreSQL"};

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> startThreads = new LinkedHashMap<>();
  private final long startProcess;
  private final Map<String, Long> startChildren;

  private CpuMeter() {
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu >= 0) {
        startThreads.put(id, cpu);
      }
    }
    startProcess = processCpuNanos();
    startChildren = childrenCpuNanos();
  }

  static CpuMeter start() {
    return new CpuMeter();
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
    byPart[3] = Math.max(0, process - attributed);
    byPart[4] = children.getOrDefault("temporal", 0L) - startChildren.getOrDefault("temporal", 0L);
    byPart[5] = children.getOrDefault("postgres", 0L) - startChildren.getOrDefault("postgres", 0L);
    double[] seconds = new double[PARTS.length];
    for (int i = 0; i < PARTS.length; i++) {
      seconds[i] = byPart[i] / 1e9;
    }
    return seconds;
  }

  /** 0 api, 1 worker, 2 floor worker, -1 shared. */
  static int partOf(String name) {
    if (name.startsWith("api-http")) {
      return 0;
    }
    if (name.contains(BenchEnvironment.FLOOR_QUEUE) || name.contains("floor-")) {
      return 2;
    }
    if (name.contains("taskQueue=") || name.startsWith("workflow-") || name.startsWith("Workflow")
        || name.startsWith("Activity") || name.startsWith("Local Activity")
        || name.startsWith("outbox") || name.startsWith("lifecycle-events")
        || name.startsWith("onboarding-meters")) {
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

  /** User and system CPU of this JVM's descendants, by kind (from /proc/<pid>/stat). */
  private static Map<String, Long> childrenCpuNanos() {
    Map<String, Long> out = new LinkedHashMap<>();
    long ticksPerSecond = 100; // USER_HZ on Linux
    ProcessHandle.current().descendants().forEach(p -> {
      String command = p.info().command().orElse("");
      String kind = command.contains("temporal") ? "temporal"
          : command.contains("postgres") ? "postgres" : null;
      if (kind == null) {
        return;
      }
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // utime and stime, and cutime and cstime (children that ended: PostgreSQL's backends).
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12])
            + Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
        out.merge(kind, ticks * 1_000_000_000L / ticksPerSecond, Long::sum);
      } catch (IOException | RuntimeException gone) {
        // The process ended meanwhile: nothing to count.
      }
    });
    return out;
  }
}
