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
 * docker-compose.yml and the Dockerfiles stay in step with the code, checked statically (no Docker
 * engine on these machines; bin/check-compose has docker-compose itself validate the schema):
 * every variable the api and worker services set is one their code reads, the required ones are
 * set, the ports in the environment are the ones published and health-checked, the addresses
 * name services of the file, and the search-attribute job registers exactly the architecture's.
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
    assertThat(compose.path("services").path("api").path("build").path("dockerfile").asText())
        .isEqualTo("api/Dockerfile");
    assertThat(compose.path("services").path("worker").path("build").path("dockerfile").asText())
        .isEqualTo("worker/Dockerfile");
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
        reached.stream().filter(v -> !v.equals(variable))
            .forEach(v -> one.put(v, v.equals(io.mpconnect.config.PayloadKeys.KEYS)
                ? io.mpconnect.config.PayloadKeys.newKeySetting("key-1")
                : "a-real-secret-of-its-own-0123456789abcdef"));
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
    assertThat(Files.readAllLines(root.resolve(".dockerignore"))).contains(".env");
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
    assertThat(dockerfile("api")).contains("EXPOSE " + apiPort, "API_PORT=" + apiPort,
        "/health/ready");

    JsonNode worker = service("worker");
    String statusPort = environment(worker).get("WORKER_STATUS_PORT");
    assertThat(strings(worker.path("expose"))).contains(statusPort);
    assertThat(dockerfile("worker")).contains("EXPOSE " + statusPort,
        "WORKER_STATUS_PORT=" + statusPort, "/health/ready");
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

  @Test
  void secretsInDotEnvNeverEnterAnImage() throws IOException {
    List<String> ignored = Files.readAllLines(root.resolve(".dockerignore"));
    assertThat(ignored).contains(".env");
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
  void theDockerfilesBuildWithMavenAndRunASlimJreAsANonRootUserWithAHealthCheck()
      throws IOException {
    for (String module : List.of("api", "worker")) {
      String file = dockerfile(module);
      List<String> stages = file.lines().filter(l -> l.startsWith("FROM ")).toList();
      assertThat(stages).hasSize(2);
      assertThat(stages.get(0)).contains("maven:").contains(" AS build");
      assertThat(stages.get(1)).contains("-jre");
      assertThat(file).containsPattern("(?m)^USER (?!root|0)\\S+");
      assertThat(file).containsPattern("(?m)^HEALTHCHECK ");
      String main = module.equals("api") ? "io.mpconnect.api.ApiServer" : "io.mpconnect.worker.WorkerApp";
      assertThat(file).contains("\"" + main + "\"");
      assertThat(classExists(main)).as(main).isTrue();
    }
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

  private static String dockerfile(String module) throws IOException {
    return Files.readString(root.resolve(module).resolve("Dockerfile"));
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
