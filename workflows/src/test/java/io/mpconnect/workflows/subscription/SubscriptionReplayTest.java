package io.mpconnect.workflows.subscription;

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
 * Replays every committed subscription history against the current workflow code. Subscriptions
 * run for years: a change that breaks these needs a {@code Workflow.getVersion} branch.
 */
class SubscriptionReplayTest {
  static List<Path> histories() throws IOException, URISyntaxException {
    Path dir = Path.of(SubscriptionReplayTest.class.getResource("/replay").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files.filter(p -> p.getFileName().toString().startsWith("subscription-")).sorted().toList();
      assertThat(found).as("committed subscription histories").isNotEmpty();
      return found;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("histories")
  void replaysCommittedHistory(Path history) throws Exception {
    Replay.replay(Files.readString(history), SubscriptionWorkflowImpl.class);
  }
}
