package io.mpconnect.workflows.onboarding;

import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a test's workflow history into the committed replay fixtures when the build runs with
 * {@code -Dreplay.record=<dir>} (see the README). Off by default, so a normal test run never
 * rewrites what replay tests check against.
 */
final class ReplayHistories {
  static final String PROPERTY = "replay.record";

  static void recordIfAsked(WorkflowClient client, String workflowId, String name) {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) {
      return;
    }
    try {
      WorkflowExecutionHistory history = client.fetchHistory(workflowId);
      Path file = Path.of(dir).resolve("onboarding-" + name + ".json");
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
