package io.mpconnect.standins.temporal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that must be told their port before they start, as a separate process (the
 * Temporal CLI's dev server, PostgreSQL): everything that can bind port 0 itself and report the
 * port it got should do that instead.
 *
 * <p>A port chosen ahead can be taken by someone else before the server binds it, so a caller
 * must still retry its start on another port when it fails with "address already in use" ({@link
 * #isAddressInUse}). To make that rare, {@link #pick} never returns a port of the kernel's
 * ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 by default): those
 * are the ports every outgoing connection and every bind to port 0 on the machine is given, so a
 * port picked there (as {@code new ServerSocket(0)} does) may be handed to a client socket a
 * moment later. Outside that range only another explicit bind can take it.
 */
public final class LoopbackPorts {
  /** The developer mode's and the images' defaults: a developer's bin/dev may be using them. */
  private static final Set<Integer> RESERVED =
      Set.of(5432, 7233, 8080, 8088, 8089, 8233, 9464, 54329);
  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  /**
   * A loopback port that is free now, outside the ephemeral range, never the developer mode's
   * defaults, and never one this JVM handed out before.
   */
  public static synchronized int pick() {
    int[] ephemeral = ephemeralRange();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int below = Math.max(0, ephemeral[0] - LOWEST); // [LOWEST, ephemeral low)
    int above = Math.max(0, 65_535 - ephemeral[1]); // (ephemeral high, 65535]
    for (int attempt = 0; attempt < 200; attempt++) {
      int port;
      if (below + above == 0) {
        // Everything is ephemeral: the kernel's own choice is all there is.
        port = kernelChoice();
      } else {
        int n = random.nextInt(below + above);
        port = n < below ? LOWEST + n : ephemeral[1] + 1 + (n - below);
      }
      if (!RESERVED.contains(port) && !HANDED_OUT.contains(port) && isFree(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port found in 200 attempts");
  }

  /**
   * True when a server could bind 127.0.0.1:{@code port} now (SO_REUSEADDR on, as the servers
   * we start set it, so connections in TIME_WAIT do not count).
   */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** True when {@code failure} or one of its causes says an address or port was in use. */
  public static boolean isAddressInUse(Throwable failure) {
    for (Throwable c = failure; c != null; c = c.getCause()) {
      if (c instanceof BindException || isAddressInUse(c.getMessage())) {
        return true;
      }
      for (Throwable suppressed : c.getSuppressed()) {
        if (isAddressInUse(suppressed)) {
          return true;
        }
      }
    }
    return false;
  }

  /** True when a message (or a process's output) says an address or port was in use. */
  public static boolean isAddressInUse(String text) {
    if (text == null) {
      return false;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    return lower.contains("address already in use") || lower.contains("port already in use")
        || lower.contains("address in use");
  }

  /** The kernel's ephemeral port range, {low, high}; Linux's default when it cannot be read. */
  static int[] ephemeralRange() {
    try {
      String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
          .trim().split("\\s+");
      int low = Integer.parseInt(parts[0]);
      int high = Integer.parseInt(parts[1]);
      if (low > 0 && high >= low && high <= 65_535) {
        return new int[] {low, high};
      }
    } catch (IOException | RuntimeException notLinux) {
      // fall through
    }
    return new int[] {32_768, 60_999};
  }

  private static int kernelChoice() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind any loopback port", e);
    }
  }

  private LoopbackPorts() {}
}
