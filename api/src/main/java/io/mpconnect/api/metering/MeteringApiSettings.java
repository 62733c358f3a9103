package io.mpconnect.api.metering;

import io.mpconnect.config.Env;
import io.mpconnect.config.MeteringSettings;

/**
 * The api's metering settings: USAGE_TOKEN (the vendor product's service token for POST
 * /api/usage; unset turns usage intake off) and the METERING_* settings ({@link MeteringSettings}).
 */
public record MeteringApiSettings(String usageToken, MeteringSettings metering) {
  public static MeteringApiSettings from(Env env) {
    return new MeteringApiSettings(env.get("USAGE_TOKEN"), MeteringSettings.from(env));
  }

  @Override
  public String toString() {
    return "MeteringApiSettings[usageToken=" + (usageToken == null ? "unset" : "set") + ", "
        + metering + "]";
  }
}
