package io.mpconnect.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.config.Env;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Secrets the api refuses to start with: each refusal is one line that begins with the variable's
 * name (ApiServer.main prints it as {@code error: <line>} and exits 1).
 */
class ApiSettingsSecretsTest {
  static final String GOOD = "a-real-secret-of-its-own-0123456789abcdef";

  /** The attack: a session key short enough to guess offline, then forge sessions and CSRF. */
  @Test
  void aSessionSecretUnder32BytesIsRefused() {
    assertThatThrownBy(() -> settings(Map.of("SESSION_SECRET", "x".repeat(31))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessage("SESSION_SECRET must be at least 32 bytes of random text, got 31");
    assertThat(settings(Map.of("SESSION_SECRET", "x".repeat(32))).sessionSecret()).hasSize(32);
  }

  /** The attack: the secrets of .env.example, which anyone who read the repository knows. */
  @Test
  void thePlaceholderSecretsOfEnvExampleAreRefused() {
    for (String variable : new String[] {"SESSION_SECRET", "ADMIN_TOKEN", "USAGE_TOKEN",
        "METRICS_TOKEN", "OIDC_MAIN_CLIENT_SECRET", "DATABASE_PASSWORD"}) {
      assertThatThrownBy(() -> settings(Map.of(variable, "change-me-" + GOOD)))
          .as(variable)
          .isInstanceOf(Env.ConfigException.class)
          .hasMessageStartingWith(variable + " still holds the placeholder of .env.example");
    }
  }

  /**
   * The mistakes: usage-priced metering on with no usage token (every report refused, usage
   * never billed), admin endpoints asked for with no admin token. Refused at start-up, not
   * discovered at the first call.
   */
  @Test
  void routesTurnedOnWithoutTheirTokenAreRefused() {
    assertThatThrownBy(() -> settings(Map.of("METERING_DIMENSIONS", "requests"), "USAGE_TOKEN"))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessage("USAGE_TOKEN must be set: METERING_DIMENSIONS turns on usage intake"
            + " (POST /api/usage), which needs it");
    assertThatThrownBy(() -> settings(Map.of("ADMIN_API", "true"), "ADMIN_TOKEN"))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessage("ADMIN_TOKEN must be set: ADMIN_API turns on the admin endpoints"
            + " (/admin/...), which need it");
    assertThat(settings(Map.of("ADMIN_API", "false")).adminToken()).isNull();
    assertThat(settings(Map.of()).adminToken()).isEqualTo(GOOD);
    assertThat(settings(Map.of(), "ADMIN_TOKEN").adminToken()).isNull();
  }

  /** The settings with every secret good, then {@code extra}, without {@code unset}. */
  static ApiSettings settings(Map<String, String> extra, String... unset) {
    Map<String, String> env = new HashMap<>(Map.of(
        "SESSION_SECRET", GOOD, "ADMIN_TOKEN", GOOD, "USAGE_TOKEN", GOOD, "METRICS_TOKEN", GOOD,
        "DATABASE_PASSWORD", GOOD, "OIDC_PROVIDERS", "main",
        "OIDC_MAIN_ISSUER", "https://accounts.example.com", "OIDC_MAIN_CLIENT_ID", "mpconnect",
        "OIDC_MAIN_CLIENT_SECRET", GOOD));
    // Required since payloads are encrypted (docs/security.md).
    env.put(io.mpconnect.config.PayloadKeys.KEYS, io.mpconnect.config.PayloadKeys.newKeySetting("t"));
    env.putAll(extra);
    for (String name : unset) {
      env.remove(name);
    }
    return ApiSettings.from(new Env(env));
  }
}
