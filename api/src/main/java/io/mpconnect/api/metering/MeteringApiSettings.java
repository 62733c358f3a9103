package io.mpconnect.api.metering;

import io.mpconnect.config.Env;
import io.mpconnect.config.MeteringSettings;

/**
 * The api's metering settings: USAGE_TOKEN (the vendor product's service token for POST
 * /api/usage) and the METERING_* settings ({@link MeteringSettings}). Usage intake is on when
 * METERING_DIMENSIONS names a dimension (a usage-priced listing); then USAGE_TOKEN is required,
 * since an intake without its token would refuse the product's usage at every call, and usage
 * not taken is usage not billed.
 */
public record MeteringApiSettings(String usageToken, MeteringSettings metering) {
  public static MeteringApiSettings from(Env env) {
    MeteringSettings metering = MeteringSettings.from(env);
    String token = env.secret("USAGE_TOKEN");
    if (token == null && !metering.dimensions().isEmpty()) {
      throw new Env.ConfigException("USAGE_TOKEN must be set: METERING_DIMENSIONS turns on usage"
          + " intake (POST /api/usage), which needs it");
    }
    return new MeteringApiSettings(token, metering);
  }

  @Override
  public String toString() {
    return "MeteringApiSettings[usageToken=" + (usageToken == null ? "unset" : "set") + ", "
        + metering + "]";
  }
}
