package io.mpconnect.api.limits;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.mpconnect.api.web.ErrorHandling;
import io.mpconnect.api.web.Json;
import io.mpconnect.api.web.Pages;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-client rate limits on the endpoints a stranger can call without any secret: the
 * registration (AWS's fulfillment URL is public) and sign-in. Over the limit a request is answered
 * {@code 429} with {@code Retry-After} (seconds) before any handler, Temporal call or OIDC call.
 *
 * <p>A client is its address (IPv6 by its /64, which one subscriber usually holds whole), or the
 * last entry of a proxy's header when configured. Peers on this machine (loopback) that name no
 * client are not limited per client: local tools and tests, or a same-host proxy that was not
 * configured to pass the client's address. Memory is bounded: at most {@code maxClients}
 * buckets per rule, the least recently seen forgotten first (a forgotten client starts again with
 * a full bucket, which the global onboarding budget still bounds).
 */
final class ClientRateLimiter {
  private static final Logger log = LoggerFactory.getLogger(ClientRateLimiter.class);

  /** One limited group of endpoints, with its own buckets. */
  record Rule(String name, Predicate<Context> applies, double perSecond, int burst) {}

  private final List<Rule> rules;
  private final Map<Rule, Map<String, TokenBucket>> buckets = new LinkedHashMap<>();
  private final String clientIpHeader;
  private final int maxClients;
  private final LongSupplier nanoClock;
  private long refusals;

  ClientRateLimiter(List<Rule> rules, String clientIpHeader, int maxClients, LongSupplier nanoClock) {
    this.rules = List.copyOf(rules);
    this.clientIpHeader = clientIpHeader;
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
                ctx -> ctx.method() == HandlerType.POST
                    && ctx.path().equals(Limits.REGISTRATION_PATH),
                settings.registerPerMinute() / 60.0, settings.registerBurst()),
            new Rule("sign-in",
                ctx -> ctx.path().startsWith("/auth/"),
                settings.authPerMinute() / 60.0, settings.authBurst())),
        settings.clientIpHeader(),
        settings.maxClients(),
        nanoClock);
  }

  /** A before-handler: lets the request through, or answers 429 and skips every other handler. */
  void check(Context ctx) {
    String client = null;
    for (Rule rule : rules) {
      if (!rule.applies().test(ctx)) {
        continue;
      }
      if (client == null) {
        client = clientKey(ctx);
        if (client == null) {
          return;
        }
      }
      long waitNanos = bucket(rule, client).tryTake();
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
    String message = "Too many requests from your network; try again in " + retryAfter
        + (retryAfter == 1 ? " second." : " seconds.");
    if (ErrorHandling.wantsJson(ctx)) {
      ctx.status(429).json(Json.message(message));
    } else {
      Pages.render(ctx, 429, "Too many attempts",
          "<p>" + message + " Nothing was set up or changed.</p>"
              + "<p>If you came from AWS Marketplace, wait a moment, then go back there and click"
              + " \"Set up your account\" again.</p>");
    }
    ctx.skipRemainingHandlers();
  }

  /**
   * The client's key, or null for a peer on this machine that names no client: a local tool, or
   * a reverse proxy on the same host without RATE_LIMIT_CLIENT_IP_HEADER, which would otherwise
   * put every customer in one bucket and turn the limit into an outage. (The global onboarding
   * budget still applies to them.)
   */
  String clientKey(Context ctx) {
    if (clientIpHeader != null) {
      String header = ctx.header(clientIpHeader);
      if (header != null && !header.isBlank()) {
        String[] hops = header.split(",");
        String address = hops[hops.length - 1].strip();
        if (!address.isEmpty()) {
          return normalize(address);
        }
      }
    }
    String peer = ctx.req().getRemoteAddr();
    return isLoopback(peer) ? null : normalize(peer);
  }

  static boolean isLoopback(String address) {
    return address == null || address.startsWith("127.") || address.equals("::1")
        || address.equals("0:0:0:0:0:0:0:1") || address.equals("[::1]")
        || address.equals("[0:0:0:0:0:0:0:1]");
  }

  /** IPv4 as is; IPv6 by its /64; anything unparsable as given (bounded in length). */
  static String normalize(String address) {
    if (address == null) {
      return "unknown";
    }
    String bare = address.startsWith("[") && address.endsWith("]")
        ? address.substring(1, address.length() - 1) : address;
    if (bare.indexOf(':') >= 0 && bare.length() <= 64 && bare.matches("[0-9A-Fa-f:.%a-z]+")) {
      try {
        byte[] bytes = InetAddress.getByName(bare).getAddress();
        if (bytes.length == 16) {
          StringBuilder prefix = new StringBuilder();
          for (int i = 0; i < 8; i += 2) {
            prefix.append(String.format("%02x%02x:", bytes[i], bytes[i + 1]));
          }
          return prefix.append(":/64").toString();
        }
      } catch (UnknownHostException notAnAddress) {
        // fall through: used as given
      }
    }
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
