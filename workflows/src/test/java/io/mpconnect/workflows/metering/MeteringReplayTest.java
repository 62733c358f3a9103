package io.mpconnect.workflows.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.replay.Replay;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every committed metering history (hour runs, the schedule's firing, a final flush)
 * against the current code: a change that would break running ones fails here and needs a
 * {@code Workflow.getVersion} branch.
 */
class MeteringReplayTest {
  static List<Path> histories() throws IOException, URISyntaxException {
    Path dir = Path.of(MeteringReplayTest.class.getResource("/replay").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files.filter(p -> p.getFileName().toString().startsWith("metering-")).sorted().toList();
      assertThat(found).as("committed metering histories").isNotEmpty();
      return found;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("histories")
  void replaysCommittedHistory(Path history) throws Exception {
    Replay.replay(
        Files.readString(history),
        MeteringWorkflowImpl.class,
        MeteringBatchesWorkflowImpl.class,
        MeteringScheduleWorkflowImpl.class,
        FinalFlushWorkflowImpl.class);
  }
}
