package io.mpconnect.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.config.Env;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerTuningTest {
  @Test
  void unsetLeavesEverySizeToTheSdk() {
    WorkerTuning tuning = WorkerTuning.from(new Env(Map.of()));
    WorkerOptions sdk = WorkerOptions.newBuilder().validateAndBuildWithDefaults();
    WorkerOptions ours = WorkerOptions.newBuilder(tuning.workerOptions())
        .validateAndBuildWithDefaults();

    assertThat(ours.getMaxConcurrentWorkflowTaskPollers())
        .isEqualTo(sdk.getMaxConcurrentWorkflowTaskPollers());
    assertThat(ours.getMaxConcurrentActivityExecutionSize())
        .isEqualTo(sdk.getMaxConcurrentActivityExecutionSize());
    assertThat(tuning.apply(WorkerFactoryOptions.newBuilder()).validateAndBuildWithDefaults()
        .getWorkflowCacheSize())
        .isEqualTo(WorkerFactoryOptions.newBuilder().validateAndBuildWithDefaults()
            .getWorkflowCacheSize());
    assertThat(tuning.toString()).contains("cache SDK default");
  }

  @Test
  void eachSettingReachesTheWorker() {
    WorkerTuning tuning = WorkerTuning.from(new Env(Map.of(
        "WORKER_WORKFLOW_CACHE_SIZE", "1500",
        "WORKER_WORKFLOW_POLLERS", "4",
        "WORKER_ACTIVITY_POLLERS", "3",
        "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS", "50",
        "WORKER_MAX_CONCURRENT_ACTIVITIES", "60")));
    WorkerOptions options = tuning.workerOptions();

    assertThat(tuning.apply(WorkerFactoryOptions.newBuilder()).build().getWorkflowCacheSize())
        .isEqualTo(1500);
    assertThat(options.getMaxConcurrentWorkflowTaskPollers()).isEqualTo(4);
    assertThat(options.getMaxConcurrentActivityTaskPollers()).isEqualTo(3);
    assertThat(options.getMaxConcurrentWorkflowTaskExecutionSize()).isEqualTo(50);
    assertThat(options.getMaxConcurrentActivityExecutionSize()).isEqualTo(60);
  }

  @Test
  void aSizeTheSdkCannotUseStopsTheStart() {
    assertThatThrownBy(() -> WorkerTuning.from(new Env(Map.of("WORKER_WORKFLOW_POLLERS", "1"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("WORKER_WORKFLOW_POLLERS must be unset or at least 2");
    assertThatThrownBy(() -> WorkerTuning.from(new Env(Map.of("WORKER_WORKFLOW_CACHE_SIZE", "-5"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("WORKER_WORKFLOW_CACHE_SIZE");
  }
}
