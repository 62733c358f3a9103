package io.mpconnect.e2e.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schemathesis against the live api, from the api's own description ({@code GET /openapi.json}):
 * examples, coverage (boundary and invalid values), fuzzing and stateful sequences through the
 * description's links (register, then the view, the page, sign-in and connect with the session
 * cookie it set). Fails on any 5xx, status, content type, header or body the description does not
 * allow, invalid input accepted, and any stack trace in a body (fuzz/hooks.py). Prints
 * schemathesis's report and its summary line: operations, cases, failures.
 *
 * <p>Knobs (system properties or environment): FUZZ_MAX_EXAMPLES (25 per operation), FUZZ_SEED
 * (random; printed, so a failure can be replayed), FUZZ_WORKERS (2).
 */
@ExtendWith(FuzzEnvironment.Resolver.class)
class ApiFuzzTest {
  static final Pattern OPERATIONS = Pattern.compile("Selected: (\\d+)/(\\d+)\\s+Tested: (\\d+)");
  static final Pattern CASES = Pattern.compile("(\\d+) generated, (\\d+) (passed|found)");
  static final Pattern SEED = Pattern.compile("Seed: (\\d+)");

  static FuzzEnvironment env;

  @BeforeAll
  static void start(FuzzEnvironment environment) {
    Schemathesis.requireInstalled();
    env = environment;
  }

  @Test
  void schemathesisFindsNoServerErrorNoSchemaMismatchAndNoStackTrace() throws Exception {
    Path resources = resourceDirectory();
    Path reports = Path.of(System.getProperty("e2e.target", "target"), "schemathesis");
    Files.createDirectories(reports);
    List<String> command = new ArrayList<>(Schemathesis.executable());
    command.addAll(List.of("--config-file", resources.resolve("schemathesis.toml").toString(),
        "run", env.baseUrl + "/openapi.json",
        "--max-examples", knob("FUZZ_MAX_EXAMPLES", "25"),
        "--workers", knob("FUZZ_WORKERS", "2"),
        "--request-timeout", "30",
        "--no-color",
        "--report", "junit",
        "--report-dir", reports.toString()));
    String seed = knob("FUZZ_SEED", null);
    if (seed != null) {
      command.addAll(List.of("--seed", seed));
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(Map.of(
        "MPCONNECT_ADMIN_TOKEN", env.setting("ADMIN_TOKEN"),
        "MPCONNECT_USAGE_TOKEN", env.setting("USAGE_TOKEN"),
        "SCHEMATHESIS_HOOKS", "hooks",
        "PYTHONPATH", resources.toString(),
        "NO_COLOR", "1"));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    Files.writeString(reports.resolve("output.txt"), output);
    System.out.println(output);
    String summary = summary(output, finished ? process.exitValue() : -1);
    System.out.println(summary);
    Files.writeString(reports.resolve("summary.txt"), summary + "\n");

    assertThat(finished).as("schemathesis finished within 10 minutes").isTrue();
    assertThat(process.exitValue()).as("schemathesis exit code (see its report above)").isZero();
    assertThat(output).contains("passed").doesNotContain("FAILURES");
    // The api survived it all.
    HttpResponse<String> ready = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(env.baseUrl + "/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
  }

  /** One line for CI logs: operations, cases, failures. */
  static String summary(String output, int exitCode) {
    Matcher operations = OPERATIONS.matcher(output);
    Matcher cases = CASES.matcher(output);
    Matcher seed = SEED.matcher(output);
    Matcher failures = Pattern.compile("(\\d+) failures?,").matcher(output);
    return "schemathesis summary: operations tested "
        + (operations.find() ? operations.group(3) + "/" + operations.group(2) : "?")
        + ", cases " + (cases.find() ? cases.group(1) : "?")
        + ", failures: " + (failures.find() ? failures.group(1) : exitCode == 0 ? "0" : "?")
        + ", seed " + (seed.find() ? seed.group(1) : "?")
        + ", exit code " + exitCode;
  }

  static Path resourceDirectory() throws URISyntaxException {
    return Path.of(ApiFuzzTest.class.getResource("/fuzz/schemathesis.toml").toURI()).getParent();
  }

  static String knob(String name, String fallback) {
    String value = System.getProperty(name, System.getenv(name));
    return value == null || value.isBlank() ? fallback : value;
  }

  /** Where schemathesis is, and the loud failure when it is not. */
  static final class Schemathesis {
    static final String VERSION = "4.32.5";

    /** The command that runs schemathesis: SCHEMATHESIS, else python3's module (PATH-proof). */
    static List<String> executable() {
      String given = System.getenv("SCHEMATHESIS");
      return given == null || given.isBlank()
          ? List.of("python3", "-m", "schemathesis.cli")
          : List.of(given);
    }

    static void requireInstalled() {
      String version;
      try {
        List<String> command = new ArrayList<>(executable());
        command.add("--version");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        throw new AssertionError("schemathesis is not installed: python3 -m pip install"
            + " schemathesis==" + VERSION + " (bin/test does this)", e);
      }
      if (!version.contains(VERSION)) {
        throw new AssertionError("schemathesis " + VERSION + " is required, found: "
            + version.strip() + ". python3 -m pip install schemathesis==" + VERSION
            + " (bin/test does this)");
      }
    }
  }
}
