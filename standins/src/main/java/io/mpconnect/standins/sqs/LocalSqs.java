package io.mpconnect.standins.sqs;

import java.net.URI;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * An SQS-compatible server in this JVM (ElasticMQ), for the developer mode and tests: the real AWS
 * SDK creates, sends, receives and deletes against it. Point a client at {@link #endpoint()}
 * ({@code AWS_ENDPOINT_URL_SQS}); queues are created with the SDK's CreateQueue.
 */
public final class LocalSqs implements AutoCloseable {
  private final SQSRestServer server;
  private final int port;

  private LocalSqs(SQSRestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Listens on 127.0.0.1:{@code port}; 0 picks a free port. */
  public static LocalSqs start(int port) {
    int chosen = port > 0 ? port : io.mpconnect.standins.temporal.LoopbackPorts.pick();
    SQSRestServer server =
        SQSRestServerBuilder.withInterface("127.0.0.1")
            .withPort(chosen)
            .withServerAddress(NodeAddress.apply("http", "127.0.0.1", chosen, ""))
            .start();
    server.waitUntilStarted();
    return new LocalSqs(server, chosen);
  }

  public int port() {
    return port;
  }

  /** For the SDK's {@code endpointOverride} or {@code AWS_ENDPOINT_URL_SQS}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() {
    server.stopAndWait();
  }

  /**
   * Stops, waiting at most {@code atMost} (the server otherwise waits for open long polls): for a
   * process that is exiting anyway.
   */
  public void close(java.time.Duration atMost) {
    try {
      scala.concurrent.Await.ready(server.stopAndGetFuture().apply(),
          scala.concurrent.duration.Duration.create(atMost.toMillis(),
              java.util.concurrent.TimeUnit.MILLISECONDS));
    } catch (Exception timedOutOrInterrupted) {
      // exiting anyway
    }
  }
}
