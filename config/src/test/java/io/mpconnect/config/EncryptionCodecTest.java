package io.mpconnect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncryptionCodecTest {
  static final String OLD = PayloadKeys.newKeySetting("2026-01");
  static final String NEW = PayloadKeys.newKeySetting("2026-07");
  static final String TOKEN = "demo-111122223333-secret-registration-token";

  static PayloadKeys keys(String spec, String active) {
    return PayloadKeys.parse(spec, active, "PAYLOAD_KEYS");
  }

  static Payload json(String value) {
    return DefaultDataConverter.STANDARD_INSTANCE.toPayload(value).orElseThrow();
  }

  @Test
  void aRoundTripGivesBackThePayloadAndTheStoredFormHidesIt() {
    EncryptionCodec codec = new EncryptionCodec(keys(OLD, null));
    Payload plain = json(TOKEN + " owner@example.com");

    Payload sealed = codec.encode(List.of(plain)).get(0);

    assertThat(sealed.getMetadataMap().get("encoding").toStringUtf8()).isEqualTo("binary/encrypted");
    assertThat(sealed.getMetadataMap().get(EncryptionCodec.KEY_ID).toStringUtf8()).isEqualTo("2026-01");
    assertThat(sealed.toByteString().toStringUtf8()).doesNotContain(TOKEN, "owner@example.com", "json/plain");
    assertThat(codec.decode(List.of(sealed))).containsExactly(plain);
  }

  @Test
  void everyPayloadGetsItsOwnNonce() {
    EncryptionCodec codec = new EncryptionCodec(keys(OLD, null));
    Payload plain = json(TOKEN);
    assertThat(codec.encode(List.of(plain)).get(0).getData())
        .isNotEqualTo(codec.encode(List.of(plain)).get(0).getData());
  }

  @Test
  void aTamperedCiphertextIsRefusedWithAClearError() {
    EncryptionCodec codec = new EncryptionCodec(keys(OLD, null));
    Payload sealed = codec.encode(List.of(json(TOKEN))).get(0);
    byte[] data = sealed.getData().toByteArray();
    data[data.length - 20] ^= 1;
    Payload tampered = sealed.toBuilder().setData(ByteString.copyFrom(data)).build();

    assertThatThrownBy(() -> codec.decode(List.of(tampered)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("failed authentication: it was altered");
  }

  /** Each thread reuses one Cipher: a refusal leaves nothing behind for the next payload. */
  @Test
  void afterARefusalTheSameThreadStillEncryptsAndDecrypts() {
    EncryptionCodec codec = new EncryptionCodec(keys(OLD, null));
    Payload sealed = codec.encode(List.of(json(TOKEN))).get(0);
    byte[] data = sealed.getData().toByteArray();
    data[data.length - 1] ^= 1;
    Payload tampered = sealed.toBuilder().setData(ByteString.copyFrom(data)).build();
    assertThatThrownBy(() -> codec.decode(List.of(tampered)))
        .isInstanceOf(PayloadCodecException.class);

    assertThat(codec.decode(List.of(sealed))).containsExactly(json(TOKEN));
    Payload again = codec.encode(List.of(json(TOKEN))).get(0);
    assertThat(codec.decode(List.of(again))).containsExactly(json(TOKEN));
  }

  @Test
  void manyThreadsEncryptAndDecryptAtOnce() throws Exception {
    EncryptionCodec codec = new EncryptionCodec(keys(OLD, null));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Payload>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String value = TOKEN + "-" + i;
        results.add(pool.submit(
            () -> codec.decode(codec.encode(List.of(json(value)))).get(0)));
      }
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get()).isEqualTo(json(TOKEN + "-" + i));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPayloadRelabelledToAnotherKeyIdIsRefused() {
    EncryptionCodec codec = new EncryptionCodec(keys(OLD + "," + NEW, "2026-07"));
    Payload sealed = codec.encode(List.of(json(TOKEN))).get(0);
    Payload relabelled = sealed.toBuilder()
        .putMetadata(EncryptionCodec.KEY_ID, ByteString.copyFromUtf8("2026-01")).build();

    assertThatThrownBy(() -> codec.decode(List.of(relabelled)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("under key 2026-01 failed authentication");
  }

  @Test
  void anUnknownKeyIdIsRefusedNamingIt() {
    Payload sealed = new EncryptionCodec(keys(OLD, null)).encode(List.of(json(TOKEN))).get(0);
    EncryptionCodec withoutOld = new EncryptionCodec(keys(NEW, null));

    assertThatThrownBy(() -> withoutOld.decode(List.of(sealed)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("key id \"2026-01\", which PAYLOAD_KEYS does not list");
  }

  @Test
  void aSameIdWithOtherKeyMaterialIsRefused() {
    Payload sealed = new EncryptionCodec(keys(OLD, null)).encode(List.of(json(TOKEN))).get(0);
    EncryptionCodec impostor = new EncryptionCodec(keys(PayloadKeys.newKeySetting("2026-01"), null));
    assertThatThrownBy(() -> impostor.decode(List.of(sealed)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("failed authentication");
  }

  @Test
  void afterARotationTheNewKeyEncryptsAndDataUnderTheOldKeyStillDecodes() {
    Payload underOld = new EncryptionCodec(keys(OLD, null)).encode(List.of(json(TOKEN))).get(0);
    EncryptionCodec rotated = new EncryptionCodec(keys(OLD + "," + NEW, "2026-07"));

    assertThat(rotated.decode(List.of(underOld))).containsExactly(json(TOKEN));
    assertThat(rotated.encode(List.of(json(TOKEN))).get(0).getMetadataMap()
        .get(EncryptionCodec.KEY_ID).toStringUtf8()).isEqualTo("2026-07");
  }

  @Test
  void unencryptedPayloadsPassThroughDecodeUnchanged() {
    EncryptionCodec codec = new EncryptionCodec(keys(OLD, null));
    Payload plain = json(TOKEN);
    Payload binary = Payload.newBuilder().putMetadata("encoding",
        ByteString.copyFromUtf8("binary/plain")).setData(ByteString.copyFromUtf8("x")).build();
    assertThat(codec.decode(List.of(plain, binary))).containsExactly(plain, binary);
  }

  @Test
  void theDataConverterOfEveryClientRoundTripsValuesAndFailures() {
    DataConverter converter = TemporalConnections.dataConverter(keys(OLD, null));
    Payload stored = converter.toPayload(Map.of("registrationToken", TOKEN)).orElseThrow();
    assertThat(stored.getData().toString(StandardCharsets.ISO_8859_1)).doesNotContain(TOKEN);
    assertThat(converter.fromPayload(stored, Map.class, Map.class))
        .containsEntry("registrationToken", TOKEN);
    // Old, unencrypted values still read.
    assertThat(converter.fromPayload(json(TOKEN), String.class, String.class)).isEqualTo(TOKEN);

    var failure = converter.exceptionToFailure(
        io.temporal.failure.ApplicationFailure.newFailure("550 owner@example.com unknown", "Smtp"));
    assertThat(failure.toString()).doesNotContain("owner@example.com");
    assertThat(converter.failureToException(failure).getMessage()).contains("owner@example.com");
  }
}
