package io.mpconnect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AwsCallSettingsTest {
  @Test
  void defaultsAreAwsQuotaOfEachApi() {
    AwsCallSettings settings = AwsCallSettings.from(new Env(Map.of()));
    assertThat(settings.resolveCallsPerSecond()).isEqualTo(10);
    assertThat(settings.meteringCallsPerSecond()).isEqualTo(10);
    assertThat(settings.exceedsAwsQuota()).isFalse();
    // The quota is per API: both at 10 is within it; either above is not.
    assertThat(AwsCallSettings.from(new Env(Map.of("AWS_RESOLVE_CALLS_PER_SECOND", "10.5")))
        .exceedsAwsQuota()).isTrue();
  }

  @Test
  void valuesParseIncludingFractionsAndBlanksMeanTheDefault() {
    AwsCallSettings settings = AwsCallSettings.from(new Env(Map.of(
        "AWS_RESOLVE_CALLS_PER_SECOND", " 0.5 ", "AWS_METERING_CALLS_PER_SECOND", "12")));
    assertThat(settings.resolveCallsPerSecond()).isEqualTo(0.5);
    assertThat(settings.meteringCallsPerSecond()).isEqualTo(12);
    assertThat(settings.exceedsAwsQuota()).isTrue();

    assertThat(AwsCallSettings.from(new Env(Map.of("AWS_RESOLVE_CALLS_PER_SECOND", "  ")))
        .resolveCallsPerSecond()).isEqualTo(10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fast", "0", "-1", "NaN", "Infinity", "101", "5/s", "1e9"})
  void badValuesStopStartUpNamingTheVariable(String bad) {
    assertThatThrownBy(() -> AwsCallSettings.from(new Env(Map.of("AWS_RESOLVE_CALLS_PER_SECOND", bad))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageStartingWith("AWS_RESOLVE_CALLS_PER_SECOND must be a number")
        .hasMessageContaining("\"" + bad + "\"");
    assertThatThrownBy(() -> AwsCallSettings.from(new Env(Map.of("AWS_METERING_CALLS_PER_SECOND", bad))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageStartingWith("AWS_METERING_CALLS_PER_SECOND must be a number")
        .hasMessageContaining("\"" + bad + "\"");
  }
}
