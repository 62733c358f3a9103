package io.mpconnect.activities.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallPacerTest {
  @Test
  void callsAreSpacedByTheConfiguredRate() throws InterruptedException {
    CallPacer pacer = new CallPacer(50);
    long start = System.nanoTime();
    for (int i = 0; i < 11; i++) {
      pacer.acquire();
    }
    // Ten intervals of 20 ms after the first call.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(
        Duration.ofMillis(195));
  }

  @Test
  void throttlingSlowsThePaceWhichRecoversWithAcceptedCalls() {
    CallPacer pacer = new CallPacer(5);
    for (int i = 0; i < 20; i++) {
      pacer.throttled();
    }
    assertThat(pacer.interval()).isEqualTo(Duration.ofMillis(800));
    for (int i = 0; i < 40; i++) {
      pacer.accepted();
    }
    assertThat(pacer.interval()).isEqualTo(Duration.ofMillis(200));
  }
}
