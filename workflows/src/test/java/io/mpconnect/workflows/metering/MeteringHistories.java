package io.mpconnect.workflows.metering;

import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a test's workflow history into the committed replay fixtures when the build runs with
 * {@code -Dreplay.record=<dir>}, as the onboarding's tests do. Off by default.
 */
final class MeteringHistories {
  static void recordIfAsked(WorkflowClient client, String workflowId, String name) {
    String dir = System.getProperty("replay.record");
    if (dir == null || dir.isBlank()) {
      return;
    }
    try {
      Path file = Path.of(dir).resolve("metering-" + name + ".json");
      Files.createDirectories(file.getParent());
      Files.writeString(file, client.fetchHistory(workflowId).toJson(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MeteringHistories() {}
}
