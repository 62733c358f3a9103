package io.mpconnect.api.limits;

import io.mpconnect.config.Env;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code TRUSTED_PROXIES}: the reverse proxies whose client-address header is believed, as
 * literal IP addresses or CIDR ranges (e.g. {@code 10.0.0.0/8, 192.0.2.7, fd00::/8}). Anyone else
 * can write any {@code X-Forwarded-For} they like, so from them the header is ignored.
 */
record TrustedProxies(List<Range> ranges, String setting) {
  record Range(byte[] network, int prefix) {}

  static final TrustedProxies NONE = new TrustedProxies(List.of(), "");

  static TrustedProxies parse(String setting) {
    if (setting == null || setting.isBlank()) {
      return NONE;
    }
    List<Range> ranges = new ArrayList<>();
    for (String entry : setting.split(",")) {
      String item = entry.strip();
      if (item.isEmpty()) {
        continue;
      }
      int slash = item.indexOf('/');
      byte[] address = IpAddresses.unmapped(
          IpAddresses.parse(slash < 0 ? item : item.substring(0, slash)));
      int bits = address == null ? 0 : address.length * 8;
      int prefix = bits;
      if (address != null && slash >= 0) {
        String length = item.substring(slash + 1);
        prefix = length.matches("[0-9]{1,3}") ? Integer.parseInt(length) : -1;
      }
      if (address == null || prefix < 0 || prefix > bits) {
        throw new Env.ConfigException("TRUSTED_PROXIES takes IP addresses and CIDR ranges"
            + " (no host names), e.g. 10.0.0.0/8,192.0.2.7; got \"" + item + "\"");
      }
      ranges.add(new Range(address, prefix));
    }
    return new TrustedProxies(List.copyOf(ranges), setting.strip());
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  boolean contains(String address) {
    byte[] bytes = IpAddresses.unmapped(IpAddresses.parse(address));
    return bytes != null && ranges.stream()
        .anyMatch(r -> IpAddresses.sameNetwork(r.network(), bytes, r.prefix()));
  }

  @Override
  public String toString() {
    return ranges.isEmpty() ? "none" : setting;
  }
}
