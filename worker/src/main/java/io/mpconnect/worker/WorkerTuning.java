package io.mpconnect.worker;

import io.mpconnect.config.Env;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;

/**
 * How the main task queue's worker is sized: WORKER_WORKFLOW_CACHE_SIZE (workflows kept in memory
 * between their tasks, so a task need not replay the history), WORKER_WORKFLOW_POLLERS and
 * WORKER_ACTIVITY_POLLERS (concurrent long polls), WORKER_MAX_CONCURRENT_WORKFLOW_TASKS and
 * WORKER_MAX_CONCURRENT_ACTIVITIES (slots). Unset, each is the Temporal SDK's default; the values
 * chosen were measured with {@code bin/bench journeys} on a 2-core machine (docs/performance.md).
 *
 * @param workflowCacheSize 0 for the SDK's default; each field likewise
 */
public record WorkerTuning(
    int workflowCacheSize,
    int workflowPollers,
    int activityPollers,
    int maxConcurrentWorkflowTasks,
    int maxConcurrentActivities) {

  public static WorkerTuning from(Env env) {
    return new WorkerTuning(
        positiveOrUnset(env, "WORKER_WORKFLOW_CACHE_SIZE"),
        positiveOrUnset(env, "WORKER_WORKFLOW_POLLERS"),
        positiveOrUnset(env, "WORKER_ACTIVITY_POLLERS"),
        positiveOrUnset(env, "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS"),
        positiveOrUnset(env, "WORKER_MAX_CONCURRENT_ACTIVITIES"));
  }

  private static int positiveOrUnset(Env env, String name) {
    int value = env.getInt(name, 0);
    if (value < 0 || (name.endsWith("_POLLERS") && value == 1)) {
      // The SDK needs at least 2 workflow task pollers (one sticky, one normal).
      throw new Env.ConfigException(name + " must be unset or at least "
          + (name.endsWith("_POLLERS") ? 2 : 1) + ", got \"" + env.get(name) + "\"");
    }
    return value;
  }

  WorkerFactoryOptions.Builder apply(WorkerFactoryOptions.Builder factory) {
    return workflowCacheSize > 0 ? factory.setWorkflowCacheSize(workflowCacheSize) : factory;
  }

  WorkerOptions workerOptions() {
    WorkerOptions.Builder options = WorkerOptions.newBuilder();
    if (workflowPollers > 0) {
      options.setMaxConcurrentWorkflowTaskPollers(workflowPollers);
    }
    if (activityPollers > 0) {
      options.setMaxConcurrentActivityTaskPollers(activityPollers);
    }
    if (maxConcurrentWorkflowTasks > 0) {
      options.setMaxConcurrentWorkflowTaskExecutionSize(maxConcurrentWorkflowTasks);
    }
    if (maxConcurrentActivities > 0) {
      options.setMaxConcurrentActivityExecutionSize(maxConcurrentActivities);
    }
    return options.build();
  }

  @Override
  public String toString() {
    return "cache " + orDefault(workflowCacheSize) + ", workflow pollers "
        + orDefault(workflowPollers) + ", activity pollers " + orDefault(activityPollers)
        + ", workflow task slots " + orDefault(maxConcurrentWorkflowTasks) + ", activity slots "
        + orDefault(maxConcurrentActivities);
  }

  private static String orDefault(int value) {
    return value > 0 ? Integer.toString(value) : "SDK default";
  }
}
