package io.mpconnect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadKeysTest {
  @Test
  void withoutAKeyNothingStartsAndTheMessageNamesTheVariable() {
    assertThatThrownBy(() -> TemporalSettings.from(new Env(Map.of())))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageStartingWith("PAYLOAD_KEYS (or PAYLOAD_KEYS_FILE) must be set");
  }

  @Test
  void oneKeyIsActiveBySelfSeveralNeedTheActiveOneNamed() {
    String a = PayloadKeys.newKeySetting("a");
    String b = PayloadKeys.newKeySetting("b");
    assertThat(PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", a))).activeId()).isEqualTo("a");
    assertThatThrownBy(() -> PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", a + "," + b))))
        .hasMessageStartingWith("PAYLOAD_KEY_ACTIVE must be set");
    assertThat(PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", a + "," + b,
        "PAYLOAD_KEY_ACTIVE", "b"))).activeId()).isEqualTo("b");
    assertThatThrownBy(() -> PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", a,
        "PAYLOAD_KEY_ACTIVE", "c")))).hasMessageContaining("PAYLOAD_KEY_ACTIVE names c");
  }

  @Test
  void badKeysAreRefusedWithoutPrintingThem() {
    assertThatThrownBy(() -> PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", "k:c2hvcnQ="))))
        .hasMessage("PAYLOAD_KEYS: key k must be 32 bytes (AES-256; openssl rand -base64 32), got 5");
    assertThatThrownBy(() -> PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", "no-id-here"))))
        .hasMessageContaining("id:base64key");
    String a = PayloadKeys.newKeySetting("a");
    assertThatThrownBy(() -> PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", a + "," + a))))
        .hasMessageContaining("listed twice");
    assertThat(PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS", a))).toString())
        .isEqualTo("PayloadKeys[active=a, ids=[a]]").doesNotContain(a.substring(2));
  }

  @Test
  void aKeysFileListsOneALineWithComments(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "# rotated 2026-07\n" + PayloadKeys.newKeySetting("old") + "\n"
        + PayloadKeys.newKeySetting("new") + "  # active\n");
    PayloadKeys keys = PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS_FILE", file.toString(),
        "PAYLOAD_KEY_ACTIVE", "new")));
    assertThat(keys.ids()).containsExactlyInAnyOrder("old", "new");
    assertThatThrownBy(() -> PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS_FILE",
        dir.resolve("missing").toString())))).hasMessageStartingWith("PAYLOAD_KEYS_FILE cannot be read");
    assertThatThrownBy(() -> PayloadKeys.from(new Env(Map.of("PAYLOAD_KEYS_FILE", file.toString(),
        "PAYLOAD_KEYS", PayloadKeys.newKeySetting("x"))))).hasMessageContaining("both set");
  }
}
