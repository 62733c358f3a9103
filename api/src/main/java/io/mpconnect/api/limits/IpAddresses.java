package io.mpconnect.api.limits;

import java.util.ArrayList;
import java.util.List;

/**
 * IP address literals, parsed by hand: never {@code InetAddress.getByName}, which resolves
 * anything that is not a literal through DNS (a header or a setting must not make the api look up
 * a name an attacker chose, nor wait for it).
 */
final class IpAddresses {
  /**
   * The address's 4 or 16 bytes, or null when {@code text} is not an IPv4 dotted quad or an IPv6
   * literal (brackets allowed, no zone id).
   */
  static byte[] parse(String text) {
    if (text == null) {
      return null;
    }
    String s = text.strip();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.isEmpty() || s.length() > 45) {
      return null;
    }
    return s.indexOf(':') >= 0 ? ipv6(s) : ipv4(s);
  }

  private static byte[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      // Decimal only, no leading zeros (some parsers read 010 as octal 8).
      if (!parts[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(parts[i]) > 255) {
        return null;
      }
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    return bytes;
  }

  private static byte[] ipv6(String s) {
    byte[] tail = null;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.', lastColon) >= 0) { // ::ffff:192.0.2.1
      tail = ipv4(s.substring(lastColon + 1));
      if (tail == null) {
        return null;
      }
      s = s.substring(0, lastColon + 1) + "0:0";
    }
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    List<String> head = groups(gap < 0 ? s : s.substring(0, gap));
    List<String> rest = gap < 0 ? List.of() : groups(s.substring(gap + 2));
    if (head == null || rest == null) {
      return null;
    }
    int missing = 8 - head.size() - rest.size();
    if ((gap < 0 && missing != 0) || (gap >= 0 && missing < 1)) {
      return null;
    }
    List<String> all = new ArrayList<>(head);
    for (int i = 0; i < (gap < 0 ? 0 : missing); i++) {
      all.add("0");
    }
    all.addAll(rest);
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      int group = Integer.parseInt(all.get(i), 16);
      bytes[2 * i] = (byte) (group >> 8);
      bytes[2 * i + 1] = (byte) group;
    }
    if (tail != null) {
      System.arraycopy(tail, 0, bytes, 12, 4);
    }
    return bytes;
  }

  /** Colon-separated hex groups of 1 to 4 digits; "" is no group; null when malformed. */
  private static List<String> groups(String s) {
    if (s.isEmpty()) {
      return List.of();
    }
    List<String> groups = new ArrayList<>();
    for (String g : s.split(":", -1)) {
      if (!g.matches("[0-9A-Fa-f]{1,4}")) {
        return null;
      }
      groups.add(g);
    }
    return groups;
  }

  /** True when the first {@code prefix} bits of both addresses (of the same family) agree. */
  static boolean sameNetwork(byte[] a, byte[] b, int prefix) {
    if (a.length != b.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it is. */
  static byte[] unmapped(byte[] address) {
    if (address != null && address.length == 16) {
      for (int i = 0; i < 10; i++) {
        if (address[i] != 0) {
          return address;
        }
      }
      if (address[10] == (byte) 0xff && address[11] == (byte) 0xff) {
        return java.util.Arrays.copyOfRange(address, 12, 16);
      }
    }
    return address;
  }

  private IpAddresses() {}
}
