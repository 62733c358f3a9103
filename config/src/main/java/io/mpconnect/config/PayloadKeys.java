package io.mpconnect.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys of the payloads in Temporal's histories: the active one encrypts, every listed
 * one decrypts (so histories written before a rotation stay readable).
 *
 * <p>Read from PAYLOAD_KEYS ({@code kid1:base64key,kid2:base64key}) or PAYLOAD_KEYS_FILE (the same
 * items, one a line or comma-separated; {@code #} starts a comment), and PAYLOAD_KEY_ACTIVE (the id
 * that encrypts; may be left out when one key is listed). Without keys the process does not start:
 * a worker that silently wrote tokens in clear would undo the control. Only the developer mode
 * generates a key, and hands it over as PAYLOAD_KEYS_FILE.
 */
public final class PayloadKeys {
  public static final String KEYS = "PAYLOAD_KEYS";
  public static final String KEYS_FILE = "PAYLOAD_KEYS_FILE";
  public static final String ACTIVE = "PAYLOAD_KEY_ACTIVE";
  private static final String ID_PATTERN = "[A-Za-z0-9._-]{1,64}";
  private static final int KEY_BYTES = 32;

  private final String activeId;
  private final Map<String, SecretKey> keys;

  private PayloadKeys(String activeId, Map<String, SecretKey> keys) {
    this.activeId = activeId;
    this.keys = Map.copyOf(keys);
  }

  public static PayloadKeys from(Env env) {
    // The placeholder of .env.example is refused as such, before its format is.
    String inline = env.secret(KEYS);
    String file = env.get(KEYS_FILE);
    if (inline != null && file != null) {
      throw new Env.ConfigException(KEYS + " and " + KEYS_FILE + " are both set: set one");
    }
    if (inline == null && file == null) {
      throw new Env.ConfigException(KEYS + " (or " + KEYS_FILE + ") must be set: payloads in"
          + " Temporal's histories are encrypted with it (a key: openssl rand -base64 32; see"
          + " docs/security.md)");
    }
    String source = inline != null ? KEYS : KEYS_FILE + " " + file;
    String spec = inline;
    if (file != null) {
      try {
        spec = Files.readString(Path.of(file));
      } catch (IOException e) {
        throw new Env.ConfigException(KEYS_FILE + " cannot be read: " + file + " ("
            + e.getClass().getSimpleName() + ")");
      }
    }
    return parse(spec, env.get(ACTIVE), source);
  }

  /** {@code spec}: items {@code id:base64key}, comma- or line-separated, {@code #} comments. */
  static PayloadKeys parse(String spec, String active, String source) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    for (String line : spec.split("\\R")) {
      String content = line.replaceFirst("#.*", "");
      for (String item : content.split(",")) {
        if (item.isBlank()) {
          continue;
        }
        int colon = item.indexOf(':');
        String id = colon < 0 ? "" : item.substring(0, colon).strip();
        if (!id.matches(ID_PATTERN)) {
          throw new Env.ConfigException(source + ": each key is id:base64key with an id of"
              + " letters, digits, '.', '_' or '-' (got an item without one)");
        }
        byte[] material;
        try {
          material = Base64.getDecoder().decode(item.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
          throw new Env.ConfigException(source + ": key " + id + " is not base64");
        }
        if (material.length != KEY_BYTES) {
          throw new Env.ConfigException(source + ": key " + id + " must be 32 bytes (AES-256;"
              + " openssl rand -base64 32), got " + material.length);
        }
        if (keys.put(id, new SecretKeySpec(material, "AES")) != null) {
          throw new Env.ConfigException(source + ": key id " + id + " is listed twice");
        }
      }
    }
    if (keys.isEmpty()) {
      throw new Env.ConfigException(source + " lists no key");
    }
    if (active == null && keys.size() > 1) {
      throw new Env.ConfigException(ACTIVE + " must be set when " + source + " lists several"
          + " keys (" + String.join(", ", keys.keySet()) + "): it names the one that encrypts");
    }
    String activeId = active != null ? active : keys.keySet().iterator().next();
    if (!keys.containsKey(activeId)) {
      throw new Env.ConfigException(ACTIVE + " names " + activeId + ", which " + source
          + " does not list (" + String.join(", ", keys.keySet()) + ")");
    }
    return new PayloadKeys(activeId, keys);
  }

  /**
   * A new random key as one PAYLOAD_KEYS item, {@code id:base64key}: the developer mode's key and
   * the tests' keys. Production keys come from the operator (docs/security.md).
   */
  public static String newKeySetting(String id) {
    byte[] material = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(material);
    return id + ":" + Base64.getEncoder().encodeToString(material);
  }

  public String activeId() {
    return activeId;
  }

  public SecretKey active() {
    return keys.get(activeId);
  }

  /** The key with that id, or null when it is not listed. */
  public SecretKey key(String id) {
    return id == null ? null : keys.get(id);
  }

  public java.util.Set<String> ids() {
    return keys.keySet();
  }

  /** Ids only: key material never reaches a log line. */
  @Override
  public String toString() {
    return "PayloadKeys[active=" + activeId + ", ids=" + new java.util.TreeSet<>(keys.keySet())
        + "]";
  }
}
