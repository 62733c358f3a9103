package io.mpconnect.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.ContainerImage;
import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image that ships is the image that was tested: the OCI tarballs jib built at package
 * ({@code api/target/jib-image.tar}, {@code worker/target/jib-image.tar}) are unpacked layer by
 * layer, and their entrypoints run from those layers (the image's own JRE, glibc and jars, as its
 * user, in its working directory; see {@link ContainerImage}) against the end-to-end stack's
 * PostgreSQL, Temporal and stand-ins, until each answers {@code /health/ready}; then a customer
 * walks the whole onboarding through them. Prints each image's digest, user and layer sizes.
 */
class ImageTest {
  private static Path root;
  private static ContainerImage worker;
  private static ContainerImage api;
  private static Stack stack;

  @BeforeAll
  static void unpackAndStart() {
    root = Path.of(System.getProperty("e2e.repositoryRoot", "..")).toAbsolutePath().normalize();
    Path work = Path.of(System.getProperty("e2e.target", "target")).toAbsolutePath()
        .resolve("images");
    worker = ContainerImage.read(root.resolve("worker/target/jib-image.tar"), work.resolve("worker"))
        .unpack(work.resolve("worker/root"));
    api = ContainerImage.read(root.resolve("api/target/jib-image.tar"), work.resolve("api"))
        .unpack(work.resolve("api/root"));
    for (ContainerImage image : List.of(api, worker)) {
      print(image);
    }
    stack = Stack.start("images", new Stack.Options().headless().images(worker, api)
        // The deployment's choice, as in docker-compose.yml: small JVMs on CI's 2 cores.
        .workerEnv("JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        .apiEnv("JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    for (ContainerImage image : new ContainerImage[] {api, worker}) {
      if (image != null) {
        image.delete();
      }
    }
  }

  private static void print(ContainerImage image) {
    System.out.printf("image %s  digest %s  user %s%n", image.name(), image.digest(), image.user());
    System.out.printf("  entrypoint %s%n", image.command());
    for (ContainerImage.Layer layer : image.layers()) {
      System.out.printf("  layer %-21s %,13d bytes  %s%n", layer.comment(), layer.size(),
          layer.digest());
    }
    System.out.printf("  total %-21s %,13d bytes  (%d layers, %.1f MB compressed)%n", "",
        image.totalSize(), image.layers().size(), image.totalSize() / 1e6);
  }

  @Test
  void bothImagesAnswerReadyFromTheirOwnLayers() {
    // Stack.start waited for both; ask again, from outside, the way an orchestrator's probe does.
    assertThat(Stack.get(stack.workerStatusBase() + "/health/ready")).isNotBlank();
    assertThat(Stack.get(stack.apiBase() + "/health/ready")).isNotBlank();
    assertThat(stack.worker().logText()).contains("worker status listening on ");
  }

  @Test
  void aCustomerConnectsThroughTheImages() {
    Customer customer = Customer.of(stack, Customer.newAccountId(), "image-user")
        .connectNewOrganization("Image Org");
    Waits.until("the onboarding to end", Duration.ofMinutes(2),
        () -> customer.view().outcome() != null, customer::safeView);
    assertThat(customer.view().outcome()).isEqualTo(OnboardingOutcome.CONNECTED);
  }

  @Test
  void theRunningProcessesAreTheImagesJvmsAsTheNonRootUserWithTheContainerFlags()
      throws IOException {
    for (var entry : List.of(java.util.Map.entry(worker, stack.worker()),
        java.util.Map.entry(api, stack.api()))) {
      ContainerImage image = entry.getKey();
      long pid = entry.getValue().pid();
      // The process the harness holds is the JVM the entrypoint started (every step exec'ed).
      String exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
      assertThat(exe).as("the JVM binary").isEqualTo(
          image.root().resolve("opt/java/openjdk/bin/java").toString());
      String status = Files.readString(Path.of("/proc/" + pid + "/status"));
      assertThat(status).containsPattern("(?m)^Uid:\\s+65532\\s+65532\\s+65532\\s+65532$")
          .containsPattern("(?m)^Gid:\\s+65532\\s+65532\\s+65532\\s+65532$");
      String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
      assertThat(cmdline).contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
          "@/app/jib-classpath-file");
    }
  }

  @Test
  void theImagesRunAsANonRootUserWithContainerAwareJvmFlags() {
    for (ContainerImage image : List.of(api, worker)) {
      assertThat(image.user()).isEqualTo("65532:65532");
      assertThat(image.command()).startsWith("java")
          .contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");
      assertThat(image.environment()).containsEntry("LOG_FORMAT", "json")
          .containsEntry("JAVA_HOME", "/opt/java/openjdk");
      assertThat(image.workingDir()).isEqualTo("/app");
    }
    assertThat(api.command()).endsWith("io.mpconnect.api.ApiServer");
    assertThat(api.exposedPorts()).containsExactly("8080/tcp");
    assertThat(api.environment()).containsEntry("API_PORT", "8080");
    assertThat(worker.command()).endsWith("io.mpconnect.worker.WorkerApp");
    assertThat(worker.exposedPorts()).containsExactly("9464/tcp");
    assertThat(worker.environment()).containsEntry("WORKER_STATUS_PORT", "9464");
  }

  @Test
  void theDigestsAreTheOnesJibReportedAndTheRuntimeLayerIsShared() throws IOException {
    assertThat(Files.readString(root.resolve("api/target/jib-image.digest")).strip())
        .isEqualTo(api.digest());
    assertThat(Files.readString(root.resolve("worker/target/jib-image.digest")).strip())
        .isEqualTo(worker.digest());
    assertThat(api.name()).isEqualTo("mpconnect/api:latest");
    assertThat(worker.name()).isEqualTo("mpconnect/worker:latest");
    // The same runtime tree gives byte-identical layers: built reproducibly, stored once.
    assertThat(api.layers().get(api.layers().size() - 1))
        .isEqualTo(worker.layers().get(worker.layers().size() - 1));
    // Nothing of the build machine but what the runtime needs: no shell, no package manager.
    for (ContainerImage image : List.of(api, worker)) {
      assertThat(image.root().resolve("bin/sh")).doesNotExist();
      assertThat(image.root().resolve("usr/bin")).doesNotExist();
      assertThat(image.root().resolve("usr/share/mpconnect/runtime.txt")).exists();
      try (var files = Files.walk(image.root().resolve("app"))) {
        assertThat(files.map(f -> f.getFileName().toString())).doesNotContain(".env");
      }
    }
  }

  /**
   * docker-compose.yml's healthchecks, run as the engine would (exec form, inside the image, as
   * its user) but on the ports this stack chose: ready answers exit 0, a closed port exit 1.
   */
  @Test
  void theComposeHealthchecksWorkInsideTheImages() throws Exception {
    java.util.Map<?, ?> compose = new org.yaml.snakeyaml.Yaml().load(
        Files.readString(root.resolve("docker-compose.yml")));
    java.util.Map<?, ?> services = (java.util.Map<?, ?>) compose.get("services");
    assertThat(healthcheck(services, "api", api, "127.0.0.1:8080",
        stack.apiBase().replace("http://", ""))).isZero();
    assertThat(healthcheck(services, "worker", worker, "127.0.0.1:9464",
        stack.workerStatusBase().replace("http://", ""))).isZero();
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      String address = "127.0.0.1:" + closed.getLocalPort();
      closed.close();
      assertThat(healthcheck(services, "api", api, "127.0.0.1:8080", address)).isEqualTo(1);
    }
  }

  private static int healthcheck(java.util.Map<?, ?> services, String service,
      ContainerImage image, String composeAddress, String address) throws Exception {
    java.util.Map<?, ?> check = (java.util.Map<?, ?>)
        ((java.util.Map<?, ?>) services.get(service)).get("healthcheck");
    List<String> test = ((List<?>) check.get("test")).stream().map(Object::toString).toList();
    assertThat(test.get(0)).isEqualTo("CMD");
    List<String> inside = test.subList(1, test.size()).stream()
        .map(arg -> arg.replace(composeAddress, address)).toList();
    assertThat(inside).anyMatch(arg -> arg.contains(address));
    ProcessBuilder builder = new ProcessBuilder(image.runCommand(inside)).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(image.environment());
    Process probe = builder.start();
    String output = new String(probe.getInputStream().readAllBytes());
    assertThat(probe.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    System.out.printf("healthcheck of %s at %s: exit %d %s%n", service, address,
        probe.exitValue(), output.strip());
    return probe.exitValue();
  }
}
