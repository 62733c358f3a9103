package io.mpconnect.config;

/**
 * Where Temporal is. TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE; for Temporal
 * Cloud either TEMPORAL_API_KEY or TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (PEM file paths, PKCS8
 * key); and the keys of the payloads written there (PAYLOAD_KEYS..., {@link PayloadKeys}), which
 * every client of the namespace needs.
 */
public record TemporalSettings(
    String address,
    String namespace,
    String taskQueue,
    String apiKey,
    String tlsCertPath,
    String tlsKeyPath,
    PayloadKeys payloadKeys) {

  public static final String DEFAULT_TASK_QUEUE = "mpconnect";

  public static TemporalSettings from(Env env) {
    TemporalSettings settings =
        new TemporalSettings(
            env.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
            env.get("TEMPORAL_NAMESPACE", "default"),
            env.get("TEMPORAL_TASK_QUEUE", DEFAULT_TASK_QUEUE),
            env.secret("TEMPORAL_API_KEY"),
            env.get("TEMPORAL_TLS_CERT"),
            env.get("TEMPORAL_TLS_KEY"),
            PayloadKeys.from(env));
    if ((settings.tlsCertPath == null) != (settings.tlsKeyPath == null)) {
      throw new Env.ConfigException("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together");
    }
    return settings;
  }

  public TemporalSettings withAddress(String newAddress) {
    return new TemporalSettings(
        newAddress, namespace, taskQueue, apiKey, tlsCertPath, tlsKeyPath, payloadKeys);
  }

  @Override
  public String toString() {
    return "TemporalSettings[address=" + address + ", namespace=" + namespace + ", taskQueue="
        + taskQueue + ", auth=" + (apiKey != null ? "api-key" : tlsCertPath != null ? "mtls" : "none")
        + ", " + payloadKeys + "]";
  }
}
