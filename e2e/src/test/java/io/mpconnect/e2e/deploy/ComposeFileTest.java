package io.mpconnect.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.config.Env;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.common.SearchAttributeKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and the images' build (jib in the poms; no Dockerfile) stay in step with the
 * code, checked statically (no Docker engine on these machines; bin/check-compose has
 * docker-compose itself validate the schema, and ImageTest runs the built images): every variable
 * the api and worker services set is one their code reads, the required ones are set, the ports
 * in the environment are the ones the images expose and the healthchecks ask, the addresses name
 * services of the file, and the search-attribute job registers exactly the architecture's.
 */
class ComposeFileTest {
  /** Read by libraries or the runtime rather than through our Env. */
  private static final Set<String> READ_ELSEWHERE = Set.of(
      "AWS_ENDPOINT_URL_MARKETPLACE_METERING", "AWS_ENDPOINT_URL_SQS", "AWS_PROFILE",
      "LOG_FORMAT", "JAVA_TOOL_OPTIONS");
  private static final Pattern ENV_READ = Pattern.compile(
      "env\\.(?:get|required|secret|getInt|getBoolean|getDuration|getList)\\(\\s*\"([A-Z][A-Z0-9_]*)\"");
  private static final Pattern ENV_REQUIRED =
      Pattern.compile("env\\.required\\(\\s*\"([A-Z][A-Z0-9_]*)\"");
  private static final Pattern CONSTANT =
      Pattern.compile("String [A-Z_]+ =\\s*\"([A-Z][A-Z0-9_]{3,})\"");

  private static Path root;
  private static JsonNode compose;

  @BeforeAll
  static void read() throws IOException {
    root = Path.of(System.getProperty("e2e.repositoryRoot", "..")).toAbsolutePath().normalize();
    // SnakeYAML (under Jackson's YAML module) resolves the anchors and merge keys.
    Object yaml = new org.yaml.snakeyaml.Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
    compose = new ObjectMapper().valueToTree(yaml);
  }

  @Test
  void theFileHasTheArchitecturesServices() {
    assertThat(names(compose.path("services"))).contains(
        "postgres", "temporal", "temporal-ui", "temporal-search-attributes", "api", "worker");
    // The images jib builds (mvn package), loaded from their tarballs: nothing is built here.
    for (String name : List.of("api", "worker")) {
      assertThat(service(name).path("image").asText())
          .isEqualTo("mpconnect/" + name + ":${MPCONNECT_VERSION:-latest}");
      assertThat(service(name).has("build")).as(name + " has no build").isFalse();
      assertThat(root.resolve(name).resolve("Dockerfile")).doesNotExist();
    }
  }

  @Test
  void everyVariableOfTheWorkerIsReadByItsCodeAndTheRequiredOnesAreSet() throws IOException {
    checkEnvironment("worker", List.of("worker", "activities", "persistence", "config"));
  }

  @Test
  void everyVariableOfTheApiIsReadByItsCodeAndTheRequiredOnesAreSet() throws IOException {
    checkEnvironment("api", List.of("api", "persistence", "config"));
  }

  /**
   * The mistake an attacker hopes for: {@code cp .env.example .env} and {@code docker compose up}
   * with the secrets never filled in (everyone who read this repository knows them). For every
   * placeholder that reaches the api or the worker through the compose file, the process refuses
   * to start with a message that begins with the variable's name; and {@code .env} never goes
   * into an image.
   */
  @Test
  void theEnvExamplesPlaceholderSecretsStopTheProcessesThatReadThem() throws IOException {
    Map<String, String> example = new java.util.LinkedHashMap<>();
    for (String line : Files.readAllLines(root.resolve(".env.example"))) {
      Matcher m = Pattern.compile("([A-Z][A-Z0-9_]*)=(.*)").matcher(line.strip());
      if (m.matches()) {
        example.put(m.group(1), m.group(2));
      }
    }
    Map<String, java.util.function.Consumer<Env>> starts = Map.of(
        "api", io.mpconnect.api.ApiSettings::from,
        "worker", io.mpconnect.worker.WorkerSettings::from);
    Set<String> refused = new TreeSet<>();
    for (Map.Entry<String, java.util.function.Consumer<Env>> process : starts.entrySet()) {
      Map<String, String> env = new java.util.HashMap<>();
      environment(service(process.getKey())).forEach((k, v) -> env.put(k, interpolate(v, example)));
      List<String> reached = env.entrySet().stream()
          .filter(e -> e.getValue().contains(Env.PLACEHOLDER)).map(Map.Entry::getKey).toList();
      for (String variable : reached) {
        Map<String, String> one = new java.util.HashMap<>(env);
        // The others get real secrets in their placeholder's place, keeping any format around
        // it (PAYLOAD_KEYS is "<id>:<base64 key>"): 32 random bytes in base64.
        String real = java.util.Base64.getEncoder().encodeToString(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        reached.stream().filter(v -> !v.equals(variable))
            .forEach(v -> one.put(v, env.get(v).replaceAll(
                Pattern.quote(Env.PLACEHOLDER) + "[A-Za-z0-9-]*", Matcher.quoteReplacement(real))));
        assertThatThrownBy(() -> process.getValue().accept(new Env(one)))
            .as(process.getKey() + " with " + variable + " from .env.example")
            .isInstanceOf(Env.ConfigException.class)
            .hasMessageStartingWith(variable + " still holds the placeholder of .env.example");
        refused.add(process.getKey() + ":" + variable);
      }
    }
    assertThat(refused).contains("api:PAYLOAD_KEYS", "worker:PAYLOAD_KEYS",
        "api:SESSION_SECRET", "api:ADMIN_TOKEN", "api:USAGE_TOKEN",
        "api:OIDC_MAIN_CLIENT_SECRET", "api:DATABASE_PASSWORD", "worker:DATABASE_PASSWORD");
  }

  /** Compose's ${VAR}, ${VAR:-default} and ${VAR:?message} with the given values. */
  private static String interpolate(String value, Map<String, String> values) {
    Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::([-?])([^}]*))?}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String given = values.getOrDefault(m.group(1), "");
      String replacement = given.isEmpty() && "-".equals(m.group(2)) ? m.group(3) : given;
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  @Test
  void portsInTheEnvironmentArePublishedAndHealthChecked() throws IOException {
    JsonNode api = service("api");
    String apiPort = environment(api).get("API_PORT");
    assertThat(strings(api.path("ports"))).anyMatch(p -> p.endsWith(":" + apiPort));
    assertThat(jibConfiguration("api")).contains("<port>" + apiPort + "</port>",
        "<API_PORT>" + apiPort + "</API_PORT>");
    assertThat(healthcheck(api)).contains("http://127.0.0.1:" + apiPort + "/health/ready");

    JsonNode worker = service("worker");
    String statusPort = environment(worker).get("WORKER_STATUS_PORT");
    assertThat(strings(worker.path("expose"))).contains(statusPort);
    assertThat(jibConfiguration("worker")).contains("<port>" + statusPort + "</port>",
        "<WORKER_STATUS_PORT>" + statusPort + "</WORKER_STATUS_PORT>");
    assertThat(healthcheck(worker)).contains("http://127.0.0.1:" + statusPort + "/health/ready");
  }

  /** The healthcheck's command (exec form): the image's own JVM runs HealthProbe, no shell. */
  static List<String> healthcheck(JsonNode service) {
    List<String> test = strings(service.path("healthcheck").path("test"));
    assertThat(test).startsWith("CMD", "java").contains("@/app/jib-classpath-file",
        "io.mpconnect.config.HealthProbe");
    return test;
  }

  @Test
  void addressesNameServicesOfTheFile() {
    for (String name : List.of("api", "worker")) {
      Map<String, String> env = environment(service(name));
      String temporal = env.get("TEMPORAL_ADDRESS");
      assertThat(temporal).isEqualTo("temporal:7233");
      Matcher jdbc = Pattern.compile("jdbc:postgresql://([a-z-]+):(\\d+)/(\\w+)")
          .matcher(env.get("DATABASE_URL"));
      assertThat(jdbc.matches()).as(env.get("DATABASE_URL")).isTrue();
      assertThat(names(compose.path("services"))).contains(jdbc.group(1));
      assertThat(environment(service(jdbc.group(1))).get("POSTGRES_DB")).isEqualTo(jdbc.group(3));
      assertThat(env.get("LOG_FORMAT")).isEqualTo("json");
    }
    assertThat(environment(service("temporal-ui")).get("TEMPORAL_ADDRESS"))
        .isEqualTo("temporal:7233");
  }

  // ---- closed by default (docs/security.md): what another host can reach

  @Test
  void temporalFrontendIsNotReachableFromOtherHosts() {
    // Whoever reaches it can start, signal, update or terminate any workflow, past the api.
    assertThat(publishedOnAllInterfaces("temporal")).isEmpty();
    assertThat(published("temporal")).allSatisfy(p -> assertThat(p.loopbackOnly()).isTrue());
  }

  @Test
  void temporalWebUiIsNotReachableFromOtherHostsAndCannotChangeWorkflows() {
    assertThat(publishedOnAllInterfaces("temporal-ui")).isEmpty();
    assertThat(published("temporal-ui")).allSatisfy(p -> assertThat(p.loopbackOnly()).isTrue());
    assertThat(environment(service("temporal-ui")).get("TEMPORAL_DISABLE_WRITE_ACTIONS"))
        .isEqualTo("true");
  }

  @Test
  void postgresIsNotReachableFromOtherHosts() {
    assertThat(publishedOnAllInterfaces("postgres")).isEmpty();
  }

  @Test
  void noServiceButTheApiPublishesAPortOnAllInterfacesAndTheApiOnlyItsHttpPort() {
    for (String name : names(compose.path("services"))) {
      if (!name.equals("api")) {
        assertThat(publishedOnAllInterfaces(name)).as(name).isEmpty();
      }
    }
    String apiPort = environment(service("api")).get("API_PORT");
    assertThat(published("api")).singleElement()
        .satisfies(p -> assertThat(p.target()).isEqualTo(apiPort));
  }

  @Test
  void eachAppServiceLogsInToPostgresAsItsOwnRoleAndOnlyTheWorkerMigrates() throws IOException {
    Map<String, String> api = environment(service("api"));
    Map<String, String> worker = environment(service("worker"));
    String owner = environment(service("postgres")).get("POSTGRES_USER");
    assertThat(api.get("DATABASE_USER")).isEqualTo("mpconnect_api");
    assertThat(worker.get("DATABASE_USER")).isEqualTo("mpconnect_worker");
    assertThat(api.get("DATABASE_PASSWORD")).isNotEqualTo(worker.get("DATABASE_PASSWORD"))
        .doesNotContain("POSTGRES_PASSWORD");
    assertThat(worker.get("DATABASE_PASSWORD")).doesNotContain("POSTGRES_PASSWORD");
    assertThat(worker.get("DATABASE_MIGRATION_USER")).isEqualTo(owner);
    assertThat(api).doesNotContainKeys("DATABASE_MIGRATION_USER", "DATABASE_MIGRATION_PASSWORD");
    // The roles exist with those passwords: the postgres image's first-start script makes them.
    String initdb = String.join(" ", strings(service("postgres").path("volumes")));
    assertThat(initdb).contains(":/docker-entrypoint-initdb.d");
    String script = Files.readString(
        root.resolve("docker/postgres/initdb/10-mpconnect-roles.sh"));
    assertThat(script).contains("CREATE ROLE mpconnect_api LOGIN", "CREATE ROLE mpconnect_worker LOGIN");
  }

  /**
   * Nothing of the working tree but the build's outputs enters an image: jib takes the module's
   * classes, resources and dependencies, and one extra directory, the runtime tree that
   * docker/runtime/build-rootfs writes under target/ (never the repository root, where .env is).
   */
  @Test
  void secretsInDotEnvNeverEnterAnImage() throws IOException {
    String parent = Files.readString(root.resolve("pom.xml"));
    Matcher from = Pattern.compile("<extraDirectories>.*?<from>([^<]+)</from>", Pattern.DOTALL)
        .matcher(parent);
    assertThat(from.find()).isTrue();
    assertThat(from.group(1)).isEqualTo("${project.basedir}/../target/image-runtime/rootfs");
    assertThat(Pattern.compile("<from>").matcher(parent).results().count())
        .as("one extra directory and the base image").isEqualTo(2);
  }

  /** A port mapping of a service: short ("[host_ip:]published:target[/proto]") or long syntax. */
  record Published(String hostIp, String published, String target) {
    boolean loopbackOnly() {
      return hostIp != null && (hostIp.startsWith("127.") || hostIp.equals("::1")
          || hostIp.equals("[::1]"));
    }
  }

  private static List<Published> published(String serviceName) {
    List<Published> ports = new ArrayList<>();
    for (JsonNode port : service(serviceName).path("ports")) {
      if (port.isObject()) {
        ports.add(new Published(port.path("host_ip").isMissingNode() ? null
            : port.path("host_ip").asText(), port.path("published").asText(),
            port.path("target").asText()));
        continue;
      }
      String spec = port.asText().replaceFirst("/(tcp|udp)$", "");
      int lastColon = spec.lastIndexOf(':');
      String target = spec.substring(lastColon + 1);
      String rest = lastColon < 0 ? "" : spec.substring(0, lastColon);
      int hostColon = rest.lastIndexOf(':');
      ports.add(hostColon < 0
          ? new Published(null, rest, target)
          : new Published(rest.substring(0, hostColon), rest.substring(hostColon + 1), target));
    }
    return ports;
  }

  /** Mappings without a host address, or with 0.0.0.0 or ::, which Docker binds on every one. */
  private static List<Published> publishedOnAllInterfaces(String serviceName) {
    return published(serviceName).stream()
        .filter(p -> p.hostIp() == null || p.hostIp().isEmpty() || p.hostIp().equals("0.0.0.0")
            || p.hostIp().equals("::") || p.hostIp().equals("[::]"))
        .toList();
  }

  @Test
  void theSearchAttributeJobRegistersExactlyTheArchitecturesAttributes() {
    String command = String.join(" ", strings(service("temporal-search-attributes").path("command")));
    Matcher loop = Pattern.compile("for name in ([A-Za-z ]+?); do").matcher(command.replaceAll("\\s+", " "));
    assertThat(loop.find()).as(command).isTrue();
    Set<String> registered = new TreeSet<>(List.of(loop.group(1).trim().split(" ")));
    Set<String> architecture = new TreeSet<>();
    for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
      architecture.add(key.getName());
    }
    assertThat(registered).isEqualTo(architecture);
    assertThat(command).contains("--type Keyword");
  }

  @Test
  void theImagesAreBuiltByJibAsANonRootUserWithContainerAwareFlagsAndAHealthCheck()
      throws IOException {
    String parent = Files.readString(root.resolve("pom.xml"));
    assertThat(parent).contains("<artifactId>jib-maven-plugin</artifactId>",
        "<version>3.5.2</version>", "<goal>buildTar</goal>", "<format>OCI</format>",
        "<jvmFlag>-XX:MaxRAMPercentage=75</jvmFlag>", "<jvmFlag>-XX:+ExitOnOutOfMemoryError</jvmFlag>",
        "<creationTime>EPOCH</creationTime>");
    assertThat(parent).containsPattern("<user>(?!0[:<])\\d+:\\d+</user>");
    for (String module : List.of("api", "worker")) {
      String main = module.equals("api") ? "io.mpconnect.api.ApiServer" : "io.mpconnect.worker.WorkerApp";
      assertThat(jibConfiguration(module)).contains("<mainClass>" + main + "</mainClass>");
      assertThat(classExists(main)).as(main).isTrue();
      healthcheck(service(module));
    }
    assertThat(classExists("io.mpconnect.config.HealthProbe")).isTrue();
  }

  private static void checkEnvironment(String serviceName, List<String> modules) throws IOException {
    Set<String> read = new HashSet<>(READ_ELSEWHERE);
    Set<String> required = new TreeSet<>();
    for (String module : modules) {
      for (String source : sources(root.resolve(module).resolve("src/main/java"))) {
        collect(ENV_READ, source, read);
        collect(CONSTANT, source, read);
        collect(ENV_REQUIRED, source, required);
      }
    }
    Map<String, String> env = environment(service(serviceName));
    List<String> providers = env.containsKey("OIDC_PROVIDERS")
        ? List.of(env.get("OIDC_PROVIDERS").replaceAll("\\$\\{OIDC_PROVIDERS:-([^}]*)}", "$1")
            .toUpperCase().split(","))
        : List.of();
    List<String> unknown = new ArrayList<>();
    for (String name : env.keySet()) {
      boolean providerSetting = providers.stream().anyMatch(p -> name.startsWith("OIDC_" + p.trim() + "_"));
      if (!read.contains(name) && !providerSetting) {
        unknown.add(name);
      }
    }
    assertThat(unknown).as(serviceName + " sets variables its code never reads").isEmpty();
    assertThat(env.keySet()).as(serviceName + " lacks required variables").containsAll(required);
    for (String provider : providers) {
      assertThat(env).containsKeys("OIDC_" + provider.trim() + "_ISSUER",
          "OIDC_" + provider.trim() + "_CLIENT_ID");
    }
  }

  private static void collect(Pattern pattern, String source, Set<String> into) {
    Matcher m = pattern.matcher(source);
    while (m.find()) {
      into.add(m.group(1));
    }
  }

  private static List<String> sources(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> sources = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        sources.add(Files.readString(p));
      }
      return sources;
    }
  }

  private static JsonNode service(String name) {
    JsonNode service = compose.path("services").path(name);
    assertThat(service.isMissingNode()).as("service " + name).isFalse();
    return service;
  }

  /** The environment with YAML merge keys resolved (x-temporal, x-database anchors). */
  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    JsonNode node = service.path("environment");
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("<<")) {
        for (JsonNode merged : field.getValue().isArray()
            ? field.getValue() : List.of(field.getValue())) {
          merged.fields().forEachRemaining(e -> env.putIfAbsent(e.getKey(), e.getValue().asText()));
        }
      } else {
        env.put(field.getKey(), field.getValue().asText());
      }
    }
    return env;
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(v -> values.add(v.asText()));
    } else if (!array.isMissingNode()) {
      values.add(array.asText());
    }
    return values;
  }

  /** The module's jib-maven-plugin section (its main class, port and environment). */
  private static String jibConfiguration(String module) throws IOException {
    String pom = Files.readString(root.resolve(module).resolve("pom.xml"));
    Matcher jib = Pattern.compile("<artifactId>jib-maven-plugin</artifactId>(.*?)</plugin>",
        Pattern.DOTALL).matcher(pom);
    assertThat(jib.find()).as(module + "/pom.xml configures jib").isTrue();
    return jib.group(1);
  }

  private static boolean classExists(String name) {
    try {
      Class.forName(name, false, ComposeFileTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
