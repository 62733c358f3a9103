package io.mpconnect.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Free loopback ports; never the developer mode's defaults, never the same one twice a run. */
public final class Ports {
  private static final Set<Integer> RESERVED =
      Set.of(8080, 7233, 8233, 8088, 8089, 54329, 9464, 5432);
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  public static synchronized int free() {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        // The dev server's UI defaults to gRPC port + 1000; stay clear of collisions there too.
        if (!RESERVED.contains(port) && port < 64000 && HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free port found");
  }

  private Ports() {}
}
