package io.mpconnect.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pace of AWS calls that does not parse stops the worker at once, naming the variable. */
class AwsCallSettingsStartupTest {
  static final String KEYS = PayloadKeys.KEYS;
  static final String KEY = PayloadKeys.newKeySetting("test");

  @Test
  void theWorkerReadsBothPacesWithTheirDefaults() {
    WorkerSettings settings = WorkerSettings.from(new Env(Map.of("MARKETPLACE_PRODUCT_CODE", "p", KEYS, KEY)));
    assertThat(settings.awsCalls().resolveCallsPerSecond()).isEqualTo(10);
    assertThat(settings.awsCalls().meteringCallsPerSecond()).isEqualTo(10);

    settings = WorkerSettings.from(new Env(Map.of("MARKETPLACE_PRODUCT_CODE", "p", KEYS, KEY,
        "AWS_RESOLVE_CALLS_PER_SECOND", "1.5", "AWS_METERING_CALLS_PER_SECOND", "4")));
    assertThat(settings.awsCalls().resolveCallsPerSecond()).isEqualTo(1.5);
    assertThat(settings.awsCalls().meteringCallsPerSecond()).isEqualTo(4);
  }

  @Test
  void aBadValueStopsStartUpWithOneLineNamingTheVariable() {
    Env env = new Env(Map.of("MARKETPLACE_PRODUCT_CODE", "p", KEYS, KEY,
        "AWS_METERING_CALLS_PER_SECOND", "ten"));
    assertThatThrownBy(() -> WorkerApp.start(env))
        .isInstanceOf(Env.ConfigException.class)
        .satisfies(e -> assertThat(WorkerApp.startFailure(e, env)).isEqualTo(
            "AWS_METERING_CALLS_PER_SECOND must be a number of calls per second above 0 and at"
                + " most 100 (AWS allows about 10), got \"ten\""));
  }
}
