package io.mpconnect.workflows.replay;

import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.config.TemporalConnections;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.internal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Replays a committed history with the data converter every worker uses (payload encryption on):
 * histories from before encryption pass through the codec unchanged, and the ones recorded
 * encrypted decrypt with the committed test key ({@code payload-keys-TEST-ONLY.txt}).
 */
public final class Replay {
  private static final PayloadKeys TEST_KEYS = PayloadKeys.from(new Env(Map.of(
      PayloadKeys.KEYS_FILE, resource("/payload-keys-TEST-ONLY.txt").toString())));

  /** The workers' data converter with the committed test key, for replayers built elsewhere. */
  public static io.temporal.common.converter.DataConverter dataConverter() {
    return TemporalConnections.dataConverter(TEST_KEYS);
  }

  public static void replay(String historyJson, Class<?> workflowClass, Class<?>... more)
      throws Exception {
    // One environment per history: the replayer registers a worker on the history's task queue.
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder()
            .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
                .setDataConverter(dataConverter())
                .build())
            .build())) {
      WorkflowReplayer.replayWorkflowExecution(
          WorkflowExecutionHistory.fromJson(historyJson), env, workflowClass, more);
    }
  }

  static Path resource(String name) {
    try {
      return Path.of(Replay.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private Replay() {}
}
