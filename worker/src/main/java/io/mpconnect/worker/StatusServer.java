package io.mpconnect.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's small HTTP side: {@code /metrics}, {@code /health/live}, {@code /health/ready}.
 *
 * <p>Constructing it binds nothing; {@link #start} binds the port ({@code WORKER_STATUS_PORT}; 0
 * for any free one, see {@link #port}) and logs the port bound in one line, {@value #LISTENING}
 * followed by {@code <host>:<port>}, which launchers that pass 0 read back. A port that is taken
 * fails {@link #start} at once with {@link CannotListenException}.
 */
final class StatusServer implements AutoCloseable {
  /** The start of the one line logged once the port is bound: "worker status listening on ". */
  static final String LISTENING = "worker status listening on ";

  private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
  /** Every interface: in a container, the health checks and Prometheus reach it from outside. */
  static final String ALL_INTERFACES = "0.0.0.0";

  private final String host;
  private final int requestedPort;
  private final HttpServer server;
  private final ExecutorService executor;
  private boolean started;
  private boolean closed;

  StatusServer(int port, Supplier<String> metrics, BooleanSupplier ready) throws IOException {
    this(ALL_INTERFACES, port, metrics, ready);
  }

  /** On {@code host} ({@code WORKER_STATUS_HOST}): 127.0.0.1 keeps it on this machine. */
  StatusServer(String host, int port, Supplier<String> metrics, BooleanSupplier ready)
      throws IOException {
    this.host = host;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "WORKER_STATUS_PORT must be between 0 (any free port) and 65535, got " + port);
    }
    this.requestedPort = port;
    server = HttpServer.create();
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "worker-status");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange ->
        reply(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext("/health/live", exchange ->
        reply(exchange, 200, "application/json", "{\"status\":\"live\"}"));
    server.createContext("/health/ready", exchange -> {
      boolean ok = ready.getAsBoolean();
      reply(exchange, ok ? 200 : 503, "application/json",
          ok ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    });
  }

  /**
   * Binds the port and serves. Fails at once, with a message naming the address and {@code
   * WORKER_STATUS_PORT}, when the port cannot be bound.
   */
  synchronized StatusServer start() {
    if (started) {
      return this;
    }
    if (closed) {
      throw new IllegalStateException("the status server is closed");
    }
    try {
      server.bind(new InetSocketAddress(host, requestedPort), 16);
    } catch (BindException e) {
      throw new CannotListenException(host + ":" + requestedPort, reason(e), e);
    } catch (IOException e) {
      throw new CannotListenException(host + ":" + requestedPort, e.toString(), e);
    }
    server.start();
    started = true;
    log.info("{}{}:{} (WORKER_STATUS_PORT={})", LISTENING, host, port(), requestedPort);
    return this;
  }

  /** The port bound once started (the actual one when 0 was asked for), else the one asked for. */
  synchronized int port() {
    InetSocketAddress address = started ? server.getAddress() : null;
    return address == null ? requestedPort : address.getPort();
  }

  private static String reason(BindException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    return message.toLowerCase(java.util.Locale.ROOT).contains("in use")
        ? "address already in use"
        : message.isBlank() ? "cannot bind" : message.toLowerCase(java.util.Locale.ROOT);
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
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Also when never started: releases the unbound channel and the server's timer thread.
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * The status port could not be bound. The message is the one line an operator needs, e.g.
   * {@code cannot listen on 0.0.0.0:9464: address already in use (WORKER_STATUS_PORT)}.
   */
  static final class CannotListenException extends IllegalStateException {
    CannotListenException(String address, String reason, Throwable cause) {
      super("cannot listen on " + address + ": " + reason + " (WORKER_STATUS_PORT)", cause);
    }
  }
}
