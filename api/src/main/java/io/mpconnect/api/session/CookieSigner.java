package io.mpconnect.api.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals a payload as {@code base64url(payload).base64url(HMAC-SHA256(purpose, payload))}. The
 * purpose is part of the MAC, so a value sealed for one cookie is worthless as another.
 */
public final class CookieSigner {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final int MAX_LENGTH = 3800; // under the 4 KB browsers keep per cookie

  private final SecretKeySpec key;

  public CookieSigner(byte[] secret) {
    this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
  }

  public String seal(String purpose, byte[] payload) {
    String body = ENCODER.encodeToString(payload);
    return body + "." + ENCODER.encodeToString(mac(purpose, body));
  }

  /** The payload, or empty for anything not sealed by us for this purpose. */
  public Optional<byte[]> open(String purpose, String sealed) {
    if (sealed == null || sealed.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    int dot = sealed.indexOf('.');
    if (dot <= 0 || dot != sealed.lastIndexOf('.')) {
      return Optional.empty();
    }
    String body = sealed.substring(0, dot);
    // Compare the encoded MAC, not decoded bytes: base64 decoders ignore a final character's
    // spare bits, so two spellings of one MAC would otherwise both pass.
    byte[] given = sealed.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = ENCODER.encodeToString(mac(purpose, body)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(given, expected)) {
      return Optional.empty();
    }
    try {
      return Optional.of(DECODER.decode(body));
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
  }

  /** A keyed digest of {@code value}, for tokens derived from a session (CSRF). */
  public String derive(String purpose, String value) {
    return ENCODER.encodeToString(mac(purpose, value));
  }

  private byte[] mac(String purpose, String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256"); // not thread-safe: one per call
      mac.init(key);
      mac.update(purpose.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
    }
  }
}
