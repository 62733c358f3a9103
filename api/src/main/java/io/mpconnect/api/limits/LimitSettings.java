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
 *   <li>{@code RATE_LIMIT_ONBOARDING_PER_MINUTE} [120] and {@code RATE_LIMIT_ONBOARDING_BURST}
 *       [60]: the onboarding's view, page and connect ({@code GET /api/onboardings/{id}}, {@code
 *       GET/POST /signup/{id}}, {@code POST /api/onboardings/{id}/connect}) per session (per
 *       client without one): each costs a Temporal query or Update; the page polls at most once
 *       a second;
 *   <li>{@code TRUSTED_PROXIES} [none]: reverse proxies (IP addresses and CIDR ranges, no host
 *       names) whose {@code RATE_LIMIT_CLIENT_IP_HEADER} [X-Forwarded-For] names the client: its
 *       last entry that is not a trusted proxy. From any other peer the header is ignored (anyone
 *       can write it). Without a trusted proxy a client is the connection's address, and
 *       loopback peers are not limited per client (a same-host proxy would otherwise put every
 *       customer in one bucket);
 *   <li>{@code RATE_LIMIT_MAX_CLIENTS} [100000]: clients remembered at once (least recently seen
 *       forgotten first), so the limiter's memory is bounded;
 *   <li>{@code ONBOARDING_STARTS_PER_SECOND} [10, decimals allowed] and {@code ONBOARDING_STARTS_BURST} [50]: new
 *       onboarding workflows this api process starts, all clients together;
 *   <li>{@code API_MAX_THREADS} [200] and {@code API_MAX_QUEUED_REQUESTS} [400]: Jetty's request
 *       threads and its bounded job queue (beyond it, new connections are refused);
 *   <li>{@code API_REPLICAS} [1]: how many api processes serve behind the load balancer. The
 *       onboarding-start budget and the per-client registration and sign-in limits are the
 *       <em>fleet's</em>: each process enforces its share (rate and burst divided by the replica
 *       count, see {@link #share}), so N processes together admit no more than the configured
 *       figure. Per-session limits and Jetty's bounds stay per process.
 * </ul>
 *
 * <p>Why a split and not a shared counter in PostgreSQL: it costs nothing per request, needs no
 * database on the public route (a flood must not turn into database load, and registration keeps
 * working while PostgreSQL restarts), and fails safe: with fewer processes running than
 * configured, the fleet admits less, never more. The price: the figures must be told the replica
 * count, and a client whose requests all land on one process (sticky balancing) gets that
 * process's share only. See docs/operations.md, "Running a fleet".
 */
public record LimitSettings(
    int registerPerMinute,
    int registerBurst,
    int authPerMinute,
    int authBurst,
    int onboardingPerMinute,
    int onboardingBurst,
    String clientIpHeader,
    TrustedProxies trustedProxies,
    int maxClients,
    double onboardingStartsPerSecond,
    int onboardingStartsBurst,
    int maxThreads,
    int maxQueuedRequests,
    int replicas) {

  /** The settings of a single api process (API_REPLICAS=1), as before fleets. */
  public LimitSettings(int registerPerMinute, int registerBurst, int authPerMinute, int authBurst,
      int onboardingPerMinute, int onboardingBurst, String clientIpHeader,
      TrustedProxies trustedProxies, int maxClients, double onboardingStartsPerSecond,
      int onboardingStartsBurst, int maxThreads, int maxQueuedRequests) {
    this(registerPerMinute, registerBurst, authPerMinute, authBurst, onboardingPerMinute,
        onboardingBurst, clientIpHeader, trustedProxies, maxClients, onboardingStartsPerSecond,
        onboardingStartsBurst, maxThreads, maxQueuedRequests, 1);
  }

  public LimitSettings {
    positive("RATE_LIMIT_REGISTER_PER_MINUTE", registerPerMinute);
    positive("RATE_LIMIT_REGISTER_BURST", registerBurst);
    positive("RATE_LIMIT_AUTH_PER_MINUTE", authPerMinute);
    positive("RATE_LIMIT_AUTH_BURST", authBurst);
    positive("RATE_LIMIT_ONBOARDING_PER_MINUTE", onboardingPerMinute);
    positive("RATE_LIMIT_ONBOARDING_BURST", onboardingBurst);
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
    positive("API_REPLICAS", replicas);
    if (replicas > onboardingStartsBurst) {
      throw new Env.ConfigException("ONBOARDING_STARTS_BURST (" + onboardingStartsBurst
          + ") must be at least API_REPLICAS (" + replicas + "): each api process needs a burst"
          + " of at least 1 and together they must not exceed the fleet's");
    }
  }

  /**
   * This process's share of a fleet-wide rate: {@code perSecond / replicas}.
   */
  public double share(double perSecond) {
    return perSecond / replicas;
  }

  /**
   * This process's share of a fleet-wide burst: {@code floor(burst / replicas)}, at least 1 (so a
   * fleet whose burst is smaller than its replica count admits up to {@code replicas} at once; the
   * onboarding budget's burst is refused below the replica count at start-up instead).
   */
  public int shareOfBurst(int burst) {
    return Math.max(1, burst / replicas);
  }

  /** New onboarding workflows per second this process may start: its share of the fleet's. */
  public double processOnboardingStartsPerSecond() {
    return share(onboardingStartsPerSecond);
  }

  public int processOnboardingStartsBurst() {
    return shareOfBurst(onboardingStartsBurst);
  }

  public static LimitSettings from(Env env) {
    TrustedProxies proxies = TrustedProxies.parse(env.get("TRUSTED_PROXIES"));
    return new LimitSettings(
        env.getInt("RATE_LIMIT_REGISTER_PER_MINUTE", 20),
        env.getInt("RATE_LIMIT_REGISTER_BURST", 20),
        env.getInt("RATE_LIMIT_AUTH_PER_MINUTE", 60),
        env.getInt("RATE_LIMIT_AUTH_BURST", 30),
        env.getInt("RATE_LIMIT_ONBOARDING_PER_MINUTE", 120),
        env.getInt("RATE_LIMIT_ONBOARDING_BURST", 60),
        clientIpHeader(env, proxies),
        proxies,
        env.getInt("RATE_LIMIT_MAX_CLIENTS", 100_000),
        decimal(env, "ONBOARDING_STARTS_PER_SECOND", 10),
        env.getInt("ONBOARDING_STARTS_BURST", 50),
        env.getInt("API_MAX_THREADS", 200),
        env.getInt("API_MAX_QUEUED_REQUESTS", 400),
        env.getInt("API_REPLICAS", 1));
  }

  /** A header naming the client is believed only from trusted proxies: without any, refuse it. */
  private static String clientIpHeader(Env env, TrustedProxies proxies) {
    String header = env.get("RATE_LIMIT_CLIENT_IP_HEADER");
    if (header != null && !header.isBlank() && proxies.isEmpty()) {
      throw new Env.ConfigException("RATE_LIMIT_CLIENT_IP_HEADER is believed only from"
          + " TRUSTED_PROXIES: set TRUSTED_PROXIES to your reverse proxies' addresses");
    }
    return header == null || header.isBlank() ? "X-Forwarded-For" : header.strip();
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
        + authPerMinute + "/min burst " + authBurst + ", onboarding=" + onboardingPerMinute
        + "/min burst " + onboardingBurst + ", trustedProxies=" + trustedProxies
        + (trustedProxies.isEmpty() ? "" : " (" + clientIpHeader + ")") + ", onboardingStarts="
        + onboardingStartsPerSecond + "/s burst " + onboardingStartsBurst + ", threads="
        + maxThreads + ", queue=" + maxQueuedRequests
        + (replicas == 1 ? "" : ", replicas=" + replicas + " (this process: onboardingStarts="
            + processOnboardingStartsPerSecond() + "/s burst " + processOnboardingStartsBurst()
            + ", register=" + share(registerPerMinute) + "/min burst "
            + shareOfBurst(registerBurst) + ", auth=" + share(authPerMinute) + "/min burst "
            + shareOfBurst(authBurst) + ")")
        + "]";
  }
}
