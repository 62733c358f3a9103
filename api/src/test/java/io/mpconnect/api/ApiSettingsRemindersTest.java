package io.mpconnect.api;

import static io.mpconnect.api.ApiSettingsSecretsTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.config.Env;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ONBOARDING_REMINDERS and the choice timeout it must fit in. */
class ApiSettingsRemindersTest {
  @Test
  void byDefaultAnHourAndADayAfterTheSignIn_withinAChoiceTimeoutOfThreeDays() {
    ApiSettings defaults = settings(Map.of());
    assertThat(defaults.reminders()).containsExactly(Duration.ofHours(1), Duration.ofDays(1));
    assertThat(defaults.organizationTimeout()).isEqualTo(Duration.ofDays(3));
    assertThat(defaults.toString()).contains("reminders=[PT1H, PT24H]");
  }

  @Test
  void emptyMeansNoReminders_andAnyDurationFormatIsRead() {
    assertThat(settings(Map.of("ONBOARDING_REMINDERS", "")).reminders()).isEmpty();
    assertThat(settings(Map.of("ONBOARDING_REMINDERS", " ")).reminders()).isEmpty();
    assertThat(settings(Map.of("ONBOARDING_REMINDERS", "none")).reminders()).isEmpty();
    assertThat(
            settings(Map.of("ONBOARDING_REMINDERS", "5s, 10s", "ONBOARDING_CHOICE_TIMEOUT", "30s"))
                .reminders())
        .isEqualTo(List.of(Duration.ofSeconds(5), Duration.ofSeconds(10)));
    assertThat(settings(Map.of("ONBOARDING_REMINDERS", "PT30M,2h")).reminders())
        .containsExactly(Duration.ofMinutes(30), Duration.ofHours(2));
  }

  @Test
  void remindersMustBePositiveIncreasingAndShorterThanTheChoiceTimeout() {
    assertRefused(
        Map.of("ONBOARDING_REMINDERS", "1h,soon"),
        "ONBOARDING_REMINDERS must list durations such as 1h,1d (or be empty or none for no"
            + " reminders), got \"1h,soon\"");
    assertRefused(
        Map.of("ONBOARDING_REMINDERS", "0s,1h"),
        "ONBOARDING_REMINDERS must list positive durations, got \"0s\"");
    assertRefused(
        Map.of("ONBOARDING_REMINDERS", "1d,1h"),
        "ONBOARDING_REMINDERS must list each reminder later than the one before, got \"1h\""
            + " after \"1d\"");
    assertRefused(
        Map.of("ONBOARDING_REMINDERS", "1h,1h"),
        "ONBOARDING_REMINDERS must list each reminder later than the one before, got \"1h\""
            + " after \"1h\"");
    assertRefused(
        Map.of("ONBOARDING_CHOICE_TIMEOUT", "1h"),
        "ONBOARDING_REMINDERS must list reminders shorter than ONBOARDING_CHOICE_TIMEOUT (1h),"
            + " got \"1h\": raise ONBOARDING_CHOICE_TIMEOUT or drop the reminder");
    assertThat(
            settings(Map.of("ONBOARDING_CHOICE_TIMEOUT", "1h", "ONBOARDING_REMINDERS", ""))
                .reminders())
        .as("the old one-hour choice timeout still starts, without reminders")
        .isEmpty();
  }

  private static void assertRefused(Map<String, String> env, String message) {
    assertThatThrownBy(() -> settings(env))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessage(message);
  }
}
