package io.mpconnect.api.limits;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.ErrorHandling;
import io.mpconnect.api.web.Json;
import io.mpconnect.api.web.Templates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-client rate limits on the endpoints a stranger can call without any secret: the
 * registration (AWS's fulfillment URL is public) and sign-in; and per-session limits on the
 * onboarding's view, page and connect, each of which costs a Temporal query or Update. Over the
 * limit a request is answered {@code 429} with {@code Retry-After} (seconds) before any handler,
 * Temporal call or OIDC call. Rules match the canonical path ({@link RoutePaths}), so another
 * spelling of a route shares its bucket.
 *
 * <p>A client is its address (IPv6 by its /64, which one subscriber usually holds whole); behind
 * a proxy listed in TRUSTED_PROXIES, the last address in the proxy's header that is not itself a
 * trusted proxy. Peers on this machine (loopback) that name no client are not limited per
 * client: local tools and tests, or a same-host proxy that was not configured to pass the
 * client's address. Memory is bounded: at most {@code maxClients} buckets per rule, the least
 * recently seen forgotten first (a forgotten client starts again with a full bucket, which the
 * global onboarding budget still bounds).
 */
final class ClientRateLimiter {
  private static final Logger log = LoggerFactory.getLogger(ClientRateLimiter.class);
  private static final Pattern ONBOARDING_VIEW = Pattern.compile("/api/onboardings/[^/]+");
  private static final Pattern CONNECT = Pattern.compile("/api/onboardings/[^/]+/connect");
  private static final Pattern SIGNUP = Pattern.compile("/signup/[^/]+");

  /**
   * One limited group of endpoints, with its own buckets.
   *
   * @param applies the method and the canonical path
   * @param perSession keyed on the signed session when the request has one, else on the client
   */
  record Rule(String name, BiPredicate<HandlerType, String> applies, double perSecond, int burst,
      boolean perSession) {}

  private final List<Rule> rules;
  private final Map<Rule, Map<String, TokenBucket>> buckets = new LinkedHashMap<>();
  private final String clientIpHeader;
  private final TrustedProxies trustedProxies;
  private final int maxClients;
  private final LongSupplier nanoClock;
  private long refusals;

  ClientRateLimiter(List<Rule> rules, String clientIpHeader, TrustedProxies trustedProxies,
      int maxClients, LongSupplier nanoClock) {
    this.rules = List.copyOf(rules);
    this.clientIpHeader = clientIpHeader;
    this.trustedProxies = trustedProxies;
    this.maxClients = maxClients;
    this.nanoClock = nanoClock;
    for (Rule rule : rules) {
      buckets.put(rule, lruMap(maxClients));
    }
  }

  static ClientRateLimiter of(LimitSettings settings, LongSupplier nanoClock) {
    return new ClientRateLimiter(
        List.of(
            new Rule("registration",
                (method, path) -> method == HandlerType.POST
                    && path.equals(Limits.REGISTRATION_PATH),
                settings.share(settings.registerPerMinute()) / 60.0,
                settings.shareOfBurst(settings.registerBurst()), false),
            new Rule("sign-in",
                (method, path) -> path.startsWith("/auth/"),
                settings.share(settings.authPerMinute()) / 60.0,
                settings.shareOfBurst(settings.authBurst()), false),
            new Rule("onboarding",
                (method, path) -> (method == HandlerType.GET
                        && (ONBOARDING_VIEW.matcher(path).matches()
                            || SIGNUP.matcher(path).matches()))
                    || (method == HandlerType.POST
                        && (CONNECT.matcher(path).matches() || SIGNUP.matcher(path).matches())),
                settings.onboardingPerMinute() / 60.0, settings.onboardingBurst(), true)),
        settings.clientIpHeader(),
        settings.trustedProxies(),
        settings.maxClients(),
        nanoClock);
  }

  /**
   * A before-handler: lets the request through, or answers 429 and skips every other handler.
   *
   * @param sessionId the id of the request's valid signed session, if any
   */
  void check(Context ctx, Function<Context, Optional<String>> sessionId) {
    String path = RoutePaths.canonical(ctx.path());
    String client = null;
    boolean clientKnown = false;
    for (Rule rule : rules) {
      if (!rule.applies().test(ctx.method(), path)) {
        continue;
      }
      String key = rule.perSession()
          ? sessionId.apply(ctx).map(id -> "session:" + id).orElse(null) : null;
      if (key == null) {
        if (!clientKnown) {
          client = clientKey(ctx);
          clientKnown = true;
        }
        key = client;
      }
      if (key == null) {
        continue;
      }
      long waitNanos = bucket(rule, key).tryTake();
      if (waitNanos > 0) {
        refuse(ctx, rule, TokenBucket.retryAfterSeconds(waitNanos));
        return;
      }
    }
  }

  TokenBucket bucket(Rule rule, String client) {
    Map<String, TokenBucket> clients = buckets.get(rule);
    synchronized (clients) {
      return clients.computeIfAbsent(client,
          c -> new TokenBucket(rule.perSecond(), rule.burst(), nanoClock));
    }
  }

  /** Buckets remembered for a rule (bounded by maxClients). */
  int clients(String ruleName) {
    for (Map.Entry<Rule, Map<String, TokenBucket>> e : buckets.entrySet()) {
      if (e.getKey().name().equals(ruleName)) {
        synchronized (e.getValue()) {
          return e.getValue().size();
        }
      }
    }
    return 0;
  }

  private void refuse(Context ctx, Rule rule, long retryAfter) {
    synchronized (this) {
      // One line per thousand refusals: a flood must not become a flood of log lines.
      if (refusals++ % 1000 == 0) {
        log.warn("rate limit of {} reached ({} refusals so far)", rule.name(), refusals);
      }
    }
    ctx.header("Retry-After", Long.toString(retryAfter));
    ctx.header("Cache-Control", "no-store");
    Copy copy = Copy.english();
    String message = copy.plain(rule.perSession() ? "limits.tooMany.browser" : "limits.tooMany.network",
        retryAfter == 1 ? copy.plain("limits.seconds.one")
            : copy.plain("limits.seconds.many", retryAfter));
    if (ErrorHandling.wantsJson(ctx)) {
      ctx.status(429).json(Json.message(message));
    } else {
      Templates.respond(ctx, 429, "pages/too-many.jte",
          Templates.params("message", message, "perSession", rule.perSession()));
    }
    ctx.skipRemainingHandlers();
  }

  /**
   * The client's key, or null for a peer on this machine that names no client: a local tool, or
   * a reverse proxy on the same host not listed in TRUSTED_PROXIES, which would otherwise put
   * every customer in one bucket and turn the limit into an outage. (The global onboarding
   * budget still applies to them.) The proxy header is believed only from a trusted proxy: the
   * client is its last entry that is not a trusted proxy itself (entries to its left were written
   * by the client, who can write anything).
   */
  String clientKey(Context ctx) {
    return clientKey(ctx.req().getRemoteAddr(), ctx.header(clientIpHeader));
  }

  /** @param header the value of RATE_LIMIT_CLIENT_IP_HEADER, or null */
  String clientKey(String peer, String header) {
    if (!trustedProxies.isEmpty() && trustedProxies.contains(peer)) {
      if (header != null && !header.isBlank()) {
        String[] hops = header.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
          String hop = hops[i].strip();
          if (!hop.isEmpty() && (i == 0 || !trustedProxies.contains(hop))) {
            return normalize(hop);
          }
        }
      }
    }
    return isLoopback(peer) ? null : normalize(peer);
  }

  static boolean isLoopback(String address) {
    byte[] bytes = IpAddresses.unmapped(IpAddresses.parse(address));
    if (bytes == null) {
      return address == null;
    }
    return bytes.length == 4 ? bytes[0] == 127
        : IpAddresses.sameNetwork(bytes, IpAddresses.parse("::1"), 128);
  }

  /** IPv4 as is; IPv6 by its /64; anything unparsable as given (bounded in length). */
  static String normalize(String address) {
    if (address == null) {
      return "unknown";
    }
    byte[] bytes = IpAddresses.unmapped(IpAddresses.parse(address));
    if (bytes != null && bytes.length == 16) {
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        prefix.append(String.format("%02x%02x:", bytes[i], bytes[i + 1]));
      }
      return prefix.append(":/64").toString();
    }
    if (bytes != null) {
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "."
          + (bytes[3] & 0xff);
    }
    String bare = address.strip();
    return bare.length() > 64 ? bare.substring(0, 64) : bare;
  }

  private static <V> Map<String, V> lruMap(int maxEntries) {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > maxEntries;
      }
    };
  }
}
