package io.mpconnect.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {
  @Test
  void givenManyMoreClientsThanItRemembers_itsMemoryStaysBounded() {
    ClientRateLimiter.Rule rule = new ClientRateLimiter.Rule("registration", ctx -> true, 1, 1);
    ClientRateLimiter limiter = new ClientRateLimiter(List.of(rule), null, 100, System::nanoTime);

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
  }
}
