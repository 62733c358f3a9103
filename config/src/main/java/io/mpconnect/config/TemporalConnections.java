package io.mpconnect.config;

import com.uber.m3.tally.Scope;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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

  public static WorkflowClient client(WorkflowServiceStubs service, TemporalSettings settings) {
    return WorkflowClient.newInstance(
        service, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
  }

  private TemporalConnections() {}
}
