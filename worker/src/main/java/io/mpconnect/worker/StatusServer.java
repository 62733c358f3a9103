package io.mpconnect.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The worker's small HTTP side: {@code /metrics}, {@code /health/live}, {@code /health/ready}. */
final class StatusServer implements AutoCloseable {
  private final HttpServer server;

  StatusServer(int port, Supplier<String> metrics, BooleanSupplier ready) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "worker-status");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/metrics", exchange ->
        reply(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext("/health/live", exchange ->
        reply(exchange, 200, "application/json", "{\"status\":\"live\"}"));
    server.createContext("/health/ready", exchange -> {
      boolean ok = ready.getAsBoolean();
      reply(exchange, ok ? 200 : 503, "application/json",
          ok ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
