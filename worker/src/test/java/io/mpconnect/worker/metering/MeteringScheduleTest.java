package io.mpconnect.worker.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.config.MeteringSettings;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeteringScheduleTest {
  @Test
  void theInProcessTestServerHasNoSchedulesAndSaysSo() {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      ScheduleClient schedules = ScheduleClient.newInstance(env.getWorkflowServiceStubs());

      MeteringSchedule.Result result = MeteringSchedule.ensure(schedules, "q",
          new MeteringSettings(List.of("api_calls"), Duration.ofHours(6), 5, Duration.ofMinutes(5)));

      assertThat(result).isEqualTo(MeteringSchedule.Result.UNSUPPORTED);
    }
  }
}
