package io.mpconnect.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts every payload the SDK writes to Temporal with AES-256-GCM, so a history (inputs,
 * results, signals, updates, queries, failures) holds no registration token and no e-mail address
 * in clear; whoever reads a history without the keys reads ciphertext.
 *
 * <p>The whole original payload (its metadata and data) is sealed: {@code data} = 12-byte random
 * nonce followed by the ciphertext and its 16-byte tag; {@code metadata} = {@code encoding:
 * binary/encrypted} and the key id. The key id is also the additional authenticated data, so a
 * payload cannot be relabelled to another key. Payloads without that encoding pass through decode
 * unchanged: histories written before encryption still replay and still read.
 */
public final class EncryptionCodec implements PayloadCodec {
  public static final String ENCODING = "binary/encrypted";
  public static final String KEY_ID = "encryption-key-id";
  private static final String CIPHER = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);

  private final PayloadKeys keys;
  private final SecureRandom random = new SecureRandom();

  public EncryptionCodec(PayloadKeys keys) {
    this.keys = keys;
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    return payloads.stream().map(this::encrypt).toList();
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    return payloads.stream().map(this::decrypt).toList();
  }

  /** True for a payload this codec wrote. */
  public static boolean isEncrypted(Payload payload) {
    return ENCODING_BYTES.equals(payload.getMetadataOrDefault(EncodingKeys.METADATA_ENCODING_KEY,
        ByteString.EMPTY));
  }

  private Payload encrypt(Payload payload) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    String id = keys.activeId();
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.active(), nonce, id);
      byte[] sealed = cipher.doFinal(payload.toByteArray());
      return Payload.newBuilder()
          .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ENCODING_BYTES)
          .putMetadata(KEY_ID, ByteString.copyFromUtf8(id))
          .setData(ByteString.copyFrom(nonce).concat(ByteString.copyFrom(sealed)))
          .build();
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("cannot encrypt a payload with key " + id, e);
    }
  }

  private Payload decrypt(Payload payload) {
    if (!isEncrypted(payload)) {
      return payload;
    }
    ByteString idBytes = payload.getMetadataOrDefault(KEY_ID, null);
    if (idBytes == null) {
      throw new PayloadCodecException("an encrypted payload without its " + KEY_ID);
    }
    String id = idBytes.toStringUtf8();
    SecretKey key = keys.key(id);
    if (key == null) {
      throw new PayloadCodecException("a payload is encrypted with key id \"" + id + "\", which "
          + "PAYLOAD_KEYS does not list (it lists " + keys.ids() + "): keep every key whose"
          + " payloads are still in a history");
    }
    byte[] data = payload.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException("an encrypted payload under key " + id + " is truncated");
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(data, NONCE_BYTES),
          id);
      return Payload.parseFrom(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES));
    } catch (AEADBadTagException e) {
      throw new PayloadCodecException("an encrypted payload under key " + id + " failed"
          + " authentication: it was altered, or the key listed as " + id + " is not the one it"
          + " was encrypted with", e);
    } catch (GeneralSecurityException | InvalidProtocolBufferException e) {
      throw new PayloadCodecException("cannot decrypt a payload under key " + id, e);
    }
  }

  /**
   * A Cipher is not thread-safe, and {@code Cipher.getInstance} (a provider lookup) was 3% of the
   * worker's CPU in the journey benchmark: one per thread, initialised afresh for each payload
   * (with a new nonce each time, so GCM never sees a key and nonce twice).
   */
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance(CIPHER);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(CIPHER + " is required of every JVM", e);
    }
  });

  private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String keyId)
      throws GeneralSecurityException {
    Cipher cipher = CIPHERS.get();
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }
}
