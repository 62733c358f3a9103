package io.mpconnect.e2e.harness;

import io.mpconnect.devmode.DevMode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The developer mode in this JVM for tests, never on its default ports (a developer's bin/dev may
 * be running) and without port races: what can bind port 0 does (PostgreSQL through its launcher,
 * the AWS stand-in, the OIDC provider, the SQS queue; the worker's status server), and what the
 * developer mode must be told ahead (the api's port, named in its PUBLIC_BASE_URL; Temporal's
 * ports) is chosen by {@link Ports#free}. A start that fails because one of those was taken
 * meanwhile is closed and made again on new ports, a bounded number of times.
 */
public final class DevModes {
  /**
   * Starts it with {@code settings} (anything but ports) and its state in {@code home}. Read the
   * addresses from it: {@link DevMode#baseUrl()}, {@code setting("DATABASE_URL")}, {@code
   * setting("OIDC_DEV_ISSUER")}, {@code setting("TEMPORAL_ADDRESS")}, ...
   */
  public static DevMode start(Path home, Map<String, String> settings) {
    return Ports.retryOnAddressInUse("the developer mode", attempt -> {
      Map<String, String> overrides = new HashMap<>(settings);
      overrides.put("DEVMODE_HOME", home.toString());
      overrides.put("API_PORT", Integer.toString(Ports.free()));
      overrides.put("DEVMODE_TEMPORAL_PORT", Integer.toString(Ports.free()));
      overrides.put("DEVMODE_TEMPORAL_UI_PORT", Integer.toString(Ports.free()));
      // 0: bound by the process itself (or chosen and retried by its launcher).
      overrides.put("DEVMODE_POSTGRES_PORT", "0");
      overrides.put("DEVMODE_METERING_PORT", "0");
      overrides.put("DEVMODE_OIDC_PORT", "0");
      overrides.put("DEVMODE_SQS_PORT", "0");
      overrides.put("WORKER_STATUS_PORT", "0");
      DevMode devMode = new DevMode();
      try {
        devMode.start(overrides);
        return devMode;
      } catch (RuntimeException | Error e) {
        devMode.close();
        throw e;
      }
    });
  }

  private DevModes() {}
}
