package io.mpconnect.api.limits;

import io.mpconnect.config.Env;

/**
 * The api's abuse limits, each from an environment variable (defaults in brackets):
 *
 * <ul>
 *   <li>{@code RATE_LIMIT_REGISTER_PER_MINUTE} [20] and {@code RATE_LIMIT_REGISTER_BURST} [20]:
 *       registrations ({@code POST /marketplace/aws/register}) per client;
 *   <li>{@code RATE_LIMIT_AUTH_PER_MINUTE} [60] and {@code RATE_LIMIT_AUTH_BURST} [30]: sign-in
 *       and sign-out requests ({@code /auth/*}) per client;
 *   <li>{@code RATE_LIMIT_CLIENT_IP_HEADER} [unset]: behind a reverse proxy, the header it puts the
 *       client's address in (e.g. {@code X-Forwarded-For}; its last entry is used, the one the
 *       proxy added). Unset: the connection's address, and loopback peers are not limited per
 *       client (a same-host proxy would otherwise put every customer in one bucket);
 *   <li>{@code RATE_LIMIT_MAX_CLIENTS} [100000]: clients remembered at once (least recently seen
 *       forgotten first), so the limiter's memory is bounded;
 *   <li>{@code ONBOARDING_STARTS_PER_SECOND} [10, decimals allowed] and {@code ONBOARDING_STARTS_BURST} [50]: new
 *       onboarding workflows this api process starts, all clients together;
 *   <li>{@code API_MAX_THREADS} [200] and {@code API_MAX_QUEUED_REQUESTS} [400]: Jetty's request
 *       threads and its bounded job queue (beyond it, new connections are refused).
 * </ul>
 */
public record LimitSettings(
    int registerPerMinute,
    int registerBurst,
    int authPerMinute,
    int authBurst,
    String clientIpHeader,
    int maxClients,
    double onboardingStartsPerSecond,
    int onboardingStartsBurst,
    int maxThreads,
    int maxQueuedRequests) {

  public LimitSettings {
    positive("RATE_LIMIT_REGISTER_PER_MINUTE", registerPerMinute);
    positive("RATE_LIMIT_REGISTER_BURST", registerBurst);
    positive("RATE_LIMIT_AUTH_PER_MINUTE", authPerMinute);
    positive("RATE_LIMIT_AUTH_BURST", authBurst);
    positive("RATE_LIMIT_MAX_CLIENTS", maxClients);
    if (!(onboardingStartsPerSecond > 0)) {
      throw new Env.ConfigException(
          "ONBOARDING_STARTS_PER_SECOND must be above 0, got " + onboardingStartsPerSecond);
    }
    positive("ONBOARDING_STARTS_BURST", onboardingStartsBurst);
    if (maxThreads < 16) {
      throw new Env.ConfigException("API_MAX_THREADS must be at least 16 (Jetty needs a few itself)");
    }
    positive("API_MAX_QUEUED_REQUESTS", maxQueuedRequests);
  }

  public static LimitSettings from(Env env) {
    return new LimitSettings(
        env.getInt("RATE_LIMIT_REGISTER_PER_MINUTE", 20),
        env.getInt("RATE_LIMIT_REGISTER_BURST", 20),
        env.getInt("RATE_LIMIT_AUTH_PER_MINUTE", 60),
        env.getInt("RATE_LIMIT_AUTH_BURST", 30),
        env.get("RATE_LIMIT_CLIENT_IP_HEADER"),
        env.getInt("RATE_LIMIT_MAX_CLIENTS", 100_000),
        decimal(env, "ONBOARDING_STARTS_PER_SECOND", 10),
        env.getInt("ONBOARDING_STARTS_BURST", 50),
        env.getInt("API_MAX_THREADS", 200),
        env.getInt("API_MAX_QUEUED_REQUESTS", 400));
  }

  private static double decimal(Env env, String name, double fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new Env.ConfigException(name + " must be a number, got \"" + value + "\"");
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new Env.ConfigException(name + " must be at least 1, got " + value);
    }
  }

  @Override
  public String toString() {
    return "Limits[register=" + registerPerMinute + "/min burst " + registerBurst + ", auth="
        + authPerMinute + "/min burst " + authBurst + ", clientIpHeader="
        + (clientIpHeader == null ? "none" : clientIpHeader) + ", onboardingStarts="
        + onboardingStartsPerSecond + "/s burst " + onboardingStartsBurst + ", threads="
        + maxThreads + ", queue=" + maxQueuedRequests + "]";
  }
}
