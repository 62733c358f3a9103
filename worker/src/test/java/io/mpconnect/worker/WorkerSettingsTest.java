package io.mpconnect.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {
  private static Map<String, String> required() {
    Map<String, String> env = new HashMap<>();
    env.put("MARKETPLACE_PRODUCT_CODE", "p");
    env.put(PayloadKeys.KEYS, PayloadKeys.newKeySetting("test"));
    return env;
  }

  @Test
  void theOnboardingGaugesReadVisibilityEveryMinuteUnlessConfigured() {
    assertThat(WorkerSettings.from(new Env(required())).metricsVisibilityInterval())
        .isEqualTo(Duration.ofMinutes(1));
    Map<String, String> env = required();
    env.put("METRICS_VISIBILITY_INTERVAL", "5s");
    assertThat(WorkerSettings.from(new Env(env)).metricsVisibilityInterval())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aVisibilityIntervalUnderASecondStopsStartUpNamingTheVariable() {
    Map<String, String> env = required();
    env.put("METRICS_VISIBILITY_INTERVAL", "200ms");
    assertThatThrownBy(() -> WorkerSettings.from(new Env(env)))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessage("METRICS_VISIBILITY_INTERVAL must be at least 1s, got \"200ms\"");
  }
}
