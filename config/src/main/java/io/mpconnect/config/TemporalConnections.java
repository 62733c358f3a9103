package io.mpconnect.config;

import com.uber.m3.tally.Scope;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Builds the gRPC connection and client for a {@link TemporalSettings}, self-hosted or Cloud. */
public final class TemporalConnections {
  public static WorkflowServiceStubs connect(TemporalSettings settings) {
    return connect(settings, null);
  }

  /** With a metrics scope, the SDK reports its own metrics (polls, latencies, failures) there. */
  public static WorkflowServiceStubs connect(TemporalSettings settings, Scope metricsScope) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.address());
    if (metricsScope != null) {
      options.setMetricsScope(metricsScope);
    }
    if (settings.apiKey() != null) {
      String key = settings.apiKey();
      options.setEnableHttps(true).addApiKey(() -> key);
    } else if (settings.tlsCertPath() != null) {
      try (InputStream cert = new FileInputStream(settings.tlsCertPath());
          InputStream key = new FileInputStream(settings.tlsKeyPath())) {
        options.setSslContext(SimpleSslContextBuilder.forPKCS8(cert, key).build());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the Temporal mTLS certificate or key", e);
      }
    }
    return WorkflowServiceStubs.newServiceStubs(options.build());
  }

  /** A client whose payloads are encrypted with the settings' keys; its workers inherit them. */
  public static WorkflowClient client(WorkflowServiceStubs service, TemporalSettings settings) {
    return WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder()
        .setNamespace(settings.namespace())
        .setDataConverter(dataConverter(settings.payloadKeys()))
        .build());
  }

  /**
   * The one data converter of every client, worker and replay: the SDK's default JSON conversion,
   * then {@link EncryptionCodec}. Failure messages and stack traces are encrypted too, since an
   * error can quote what it failed on (an SMTP refusal names its recipient).
   */
  public static DataConverter dataConverter(PayloadKeys keys) {
    return new CodecDataConverter(
        DefaultDataConverter.STANDARD_INSTANCE, List.of(new EncryptionCodec(keys)), true);
  }

  /**
   * Waits until Temporal answers (GetSystemInfo); UNAVAILABLE and timeouts are retried until the
   * budget ends, then (or at once for any other error) throws {@link TemporalUnreachable} with one
   * line naming the address and TEMPORAL_ADDRESS. Used at start-up by the worker and the api.
   */
  public static void awaitReachable(
      WorkflowServiceStubs service, String address, java.time.Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    boolean waiting = false;
    while (true) {
      try {
        service.blockingStub()
            .withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
            .getSystemInfo(
                io.temporal.api.workflowservice.v1.GetSystemInfoRequest.getDefaultInstance());
        return;
      } catch (io.grpc.StatusRuntimeException e) {
        io.grpc.Status.Code code = e.getStatus().getCode();
        if (code == io.grpc.Status.Code.UNIMPLEMENTED) {
          return; // it answered
        }
        boolean retryable = code == io.grpc.Status.Code.UNAVAILABLE
            || code == io.grpc.Status.Code.DEADLINE_EXCEEDED;
        if (!retryable || System.nanoTime() > deadline) {
          throw new TemporalUnreachable("cannot reach Temporal at " + address
              + " (TEMPORAL_ADDRESS)" + (retryable ? " within " + budget.toSeconds() + " s" : "")
              + ": " + StartupFailures.firstLine(code + ": " + e.getStatus().getDescription()), e);
        }
        if (!waiting) {
          log.warn("Temporal at {} does not answer yet ({}); retrying for up to {} s", address,
              code, budget.toSeconds());
          waiting = true;
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TemporalUnreachable("interrupted while waiting for Temporal at " + address, e);
      }
    }
  }

  /** Temporal did not answer at start-up; the message already says everything (one line). */
  public static final class TemporalUnreachable extends IllegalStateException {
    TemporalUnreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(TemporalConnections.class);

  private TemporalConnections() {}
}
