package io.mpconnect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
  @Test
  void durationsAcceptUnitsAndIso8601() {
    Env env = new Env(Map.of("A", "90s", "B", "30m", "C", "PT2H", "D", "7d", "E", "250ms"));
    assertThat(env.getDuration("A", null)).isEqualTo(Duration.ofSeconds(90));
    assertThat(env.getDuration("B", null)).isEqualTo(Duration.ofMinutes(30));
    assertThat(env.getDuration("C", null)).isEqualTo(Duration.ofHours(2));
    assertThat(env.getDuration("D", null)).isEqualTo(Duration.ofDays(7));
    assertThat(env.getDuration("E", null)).isEqualTo(Duration.ofMillis(250));
    assertThat(env.getDuration("UNSET", Duration.ofHours(1))).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void badValuesNameTheVariable() {
    Env env = new Env(Map.of("T", "soon", "N", "12x", "B", "maybe"));
    assertThatThrownBy(() -> env.getDuration("T", null)).hasMessageContaining("T must be a duration");
    assertThatThrownBy(() -> env.getInt("N", 0)).hasMessageContaining("N must be a whole number");
    assertThatThrownBy(() -> env.getBoolean("B", false)).hasMessageContaining("B must be true or false");
    assertThatThrownBy(() -> env.required("MISSING")).hasMessage("MISSING must be set");
  }

  @Test
  void blankCountsAsUnsetAndListsAreTrimmed() {
    Env env = new Env(Map.of("BLANK", "  ", "L", " a, b ,,c "));
    assertThat(env.get("BLANK", "fallback")).isEqualTo("fallback");
    assertThat(env.getList("L", List.of())).containsExactly("a", "b", "c");
  }

  @Test
  void tlsCertificateAndKeyGoTogether() {
    assertThatThrownBy(() -> TemporalSettings.from(new Env(Map.of("TEMPORAL_TLS_CERT", "/c.pem",
        "PAYLOAD_KEYS", PayloadKeys.newKeySetting("test")))))
        .hasMessageContaining("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together");
    TemporalSettings settings = TemporalSettings.from(new Env(Map.of("TEMPORAL_API_KEY", "k",
        "PAYLOAD_KEYS", PayloadKeys.newKeySetting("test"))));
    assertThat(settings.toString()).contains("auth=api-key").doesNotContain("k]");
  }
}
