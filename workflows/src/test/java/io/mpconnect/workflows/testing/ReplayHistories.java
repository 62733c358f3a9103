package io.mpconnect.workflows.testing;

import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a workflow's history as a replay fixture when the build runs with {@code
 * -Dreplay.record=<dir>} (see the README). Record into an empty directory
 * and copy only new files into {@code src/test/resources/replay}: committed histories are never
 * rewritten.
 */
public final class ReplayHistories {
  public static void recordIfAsked(WorkflowClient client, String workflowId, String fileStem) {
    recordIfAsked(client, workflowId, null, fileStem);
  }

  /** One run of the workflow (e.g. the run before a continue-as-new); the latest when null. */
  public static void recordIfAsked(
      WorkflowClient client, String workflowId, String runId, String fileStem) {
    String dir = System.getProperty("replay.record");
    if (dir == null || dir.isBlank()) {
      return;
    }
    try {
      WorkflowExecutionHistory history =
          runId == null ? client.fetchHistory(workflowId) : client.fetchHistory(workflowId, runId);
      Path file = Path.of(dir).resolve(fileStem + ".json");
      Files.createDirectories(file.getParent());
      Files.writeString(file, history.toJson(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      // A test that never started the workflow has no history to record.
    }
  }

  private ReplayHistories() {}
}
