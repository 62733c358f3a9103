package io.mpconnect.api.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {
  @Test
  void givenManyMoreClientsThanItRemembers_itsMemoryStaysBounded() {
    ClientRateLimiter.Rule rule =
        new ClientRateLimiter.Rule("registration", (method, path) -> true, 1, 1, false);
    ClientRateLimiter limiter = new ClientRateLimiter(List.of(rule), "X-Forwarded-For",
        TrustedProxies.NONE, 100, System::nanoTime);

    for (int i = 0; i < 10_000; i++) {
      limiter.bucket(rule, "10.0." + (i / 256) + "." + (i % 256)).tryTake();
    }

    assertThat(limiter.clients("registration")).isEqualTo(100);
  }

  @Test
  void ipv6ClientsAreCountedByTheirSlash64_soRotatingAddressesDoesNotEscapeTheLimit() {
    assertThat(ClientRateLimiter.normalize("2001:db8:1:2:aaaa::1"))
        .isEqualTo(ClientRateLimiter.normalize("2001:db8:1:2:bbbb:cccc:dddd:eeee"))
        .isNotEqualTo(ClientRateLimiter.normalize("2001:db8:1:3::1"));
    assertThat(ClientRateLimiter.normalize("[2001:db8:1:2::1]")).isEqualTo("2001:0db8:0001:0002::/64");
    assertThat(ClientRateLimiter.normalize("203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(ClientRateLimiter.normalize("x".repeat(1000))).hasSize(64);
    assertThat(ClientRateLimiter.normalize("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
  }

  /**
   * The attack: a client-address header whose entries are host names, so that parsing it makes
   * the api resolve names an attacker chose (and wait for DNS). Only literals are addresses.
   */
  @Test
  void hostNamesInForwardedForOrTrustedProxiesAreNeverResolved() {
    assertThat(IpAddresses.parse("localhost")).isNull();
    assertThat(IpAddresses.parse("attacker.example")).isNull();
    assertThat(IpAddresses.parse("2001:db8::1.example")).isNull();
    assertThat(IpAddresses.parse("fe80::1%eth0")).isNull();
    assertThat(IpAddresses.parse("010.0.0.1")).isNull();
    assertThat(IpAddresses.parse("1.2.3")).isNull();
    assertThat(IpAddresses.parse("1:2:3:4:5:6:7:8:9")).isNull();
    assertThat(IpAddresses.parse("1::2::3")).isNull();
    assertThat(IpAddresses.parse("::1")).hasSize(16);
    assertThat(IpAddresses.parse("[2001:db8::7]")).hasSize(16);
    assertThat(IpAddresses.parse("::ffff:192.0.2.1")).hasSize(16);
    assertThat(ClientRateLimiter.normalize("attacker.example")).isEqualTo("attacker.example");
    assertThatThrownBy(() -> TrustedProxies.parse("proxy.internal"))
        .hasMessageContaining("TRUSTED_PROXIES takes IP addresses and CIDR ranges (no host names)")
        .hasMessageContaining("\"proxy.internal\"");
    assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 192.0.2.7, fd00::/8");
    assertThat(proxies.contains("10.200.3.4")).isTrue();
    assertThat(proxies.contains("::ffff:10.1.1.1")).isTrue();
    assertThat(proxies.contains("192.0.2.7")).isTrue();
    assertThat(proxies.contains("192.0.2.8")).isFalse();
    assertThat(proxies.contains("fd12::1")).isTrue();
    assertThat(proxies.contains("11.0.0.1")).isFalse();
    assertThat(proxies.contains("attacker.example")).isFalse();
  }

  /**
   * The attack: a client writes {@code X-Forwarded-For} itself, a new address each time, for a
   * fresh bucket each time. Only a peer in TRUSTED_PROXIES is believed, and only for the entries
   * it and other trusted proxies added.
   */
  @Test
  void spoofedForwardedForFromAnUntrustedPeerGetsNoFreshBucket() {
    ClientRateLimiter limiter = new ClientRateLimiter(List.of(), "X-Forwarded-For",
        TrustedProxies.parse("10.0.0.0/8"), 100, System::nanoTime);

    assertThat(limiter.clientKey("198.51.100.9", "203.0.113.1")).isEqualTo("198.51.100.9");
    assertThat(limiter.clientKey("198.51.100.9", "203.0.113.2")).isEqualTo("198.51.100.9");
    // From the proxy: the entry it added, not the ones the client wrote before it.
    assertThat(limiter.clientKey("10.0.0.5", "1.1.1.1, 203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(limiter.clientKey("10.0.0.5", "1.1.1.1, 203.0.113.9, 10.0.0.6"))
        .isEqualTo("203.0.113.9");
    assertThat(limiter.clientKey("10.0.0.5", null)).isEqualTo("10.0.0.5");
    // A same-host peer that is not a trusted proxy: its header is ignored, and it is not limited
    // per client (a local tool, or a proxy nobody listed).
    assertThat(limiter.clientKey("127.0.0.1", "203.0.113.3")).isNull();
    assertThat(new ClientRateLimiter(List.of(), "X-Forwarded-For", TrustedProxies.NONE, 100,
        System::nanoTime).clientKey("198.51.100.9", "203.0.113.4")).isEqualTo("198.51.100.9");
  }

  /** The attack: reaching a limited route under another spelling, for a fresh bucket. */
  @Test
  void anotherSpellingOfARouteHasTheSameCanonicalPath() {
    for (String spelling : List.of("/marketplace/aws/register/", "//marketplace/aws/register",
        "/Marketplace/AWS/register", "/marketplace//aws///register//",
        "/marketplace/aws/regist%65r", "/marketplace/aws/register;jsessionid=1")) {
      assertThat(RoutePaths.canonical(spelling)).as(spelling).isEqualTo("/marketplace/aws/register");
    }
    assertThat(RoutePaths.canonical("/")).isEqualTo("/");
    assertThat(RoutePaths.canonical("/bad%zzescape")).isEqualTo("/bad%zzescape");
  }
}
