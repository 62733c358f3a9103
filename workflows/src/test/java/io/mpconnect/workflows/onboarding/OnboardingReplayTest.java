package io.mpconnect.workflows.onboarding;

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
 * Replays every committed onboarding history against the current workflow code: a change that
 * would break running onboardings fails here and needs a {@code Workflow.getVersion} branch. The
 * payload codec is on, as on every worker (see {@link Replay}).
 */
class OnboardingReplayTest {
  static List<Path> histories() throws IOException, URISyntaxException {
    Path dir = Path.of(OnboardingReplayTest.class.getResource("/replay").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files.filter(p -> p.getFileName().toString().startsWith("onboarding-")).sorted().toList();
      assertThat(found).as("committed onboarding histories").isNotEmpty();
      return found;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("histories")
  void replaysCommittedHistory(Path history) throws Exception {
    Replay.replay(Files.readString(history), OnboardingWorkflowImpl.class);
  }
}
