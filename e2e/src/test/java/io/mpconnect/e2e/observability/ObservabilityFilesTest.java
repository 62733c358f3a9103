package io.mpconnect.e2e.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.Metrics;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's files, ops/prometheus/alerts.yml (with its unit tests alerts_test.yml) and
 * ops/grafana/mpconnect-dashboard.json: promtool accepts the rules and their tests pass, and every
 * metric an alert or a panel names is one the product exports, read from the /metrics of the real
 * worker and api (separate JVMs, as deployed) after a few onboardings.
 */
class ObservabilityFilesTest {
  private static final Path ROOT =
      Path.of(System.getProperty("e2e.repositoryRoot", "..")).toAbsolutePath().normalize();
  private static final Path RULES = ROOT.resolve("ops/prometheus/alerts.yml");
  private static final Path RULE_TESTS = ROOT.resolve("ops/prometheus/alerts_test.yml");
  private static final Path DASHBOARD = ROOT.resolve("ops/grafana/mpconnect-dashboard.json");

  @Test
  void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
    promtool("check", "rules", RULES.toString());
    promtool("test", "rules", RULE_TESTS.toString());
  }

  @Test
  void everyAlertHasForSeverityAndARunbookPointer() throws IOException {
    JsonNode rules = new YAMLMapper().readTree(RULES.toFile());
    String operations = Files.readString(ROOT.resolve("docs/operations.md"));
    List<String> alerts = new ArrayList<>();
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (!rule.has("alert")) {
          continue;
        }
        String name = rule.path("alert").asText();
        alerts.add(name);
        assertThat(rule.has("for")).as(name + " has for").isTrue();
        assertThat(rule.path("labels").path("severity").asText())
            .as(name + " severity").isIn("warning", "critical");
        assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
        assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
        assertThat(rule.path("annotations").path("runbook").asText())
            .as(name + " runbook").contains("docs/operations.md#");
        assertThat(operations).as("docs/operations.md explains " + name).contains("`" + name + "`");
      }
    }
    assertThat(alerts).isNotEmpty();
    String tests = Files.readString(RULE_TESTS);
    for (String alert : alerts) {
      assertThat(tests).as("alerts_test.yml tests " + alert).contains("alertname: " + alert);
    }
  }

  @Test
  void theDashboardUsesTheDatasourceVariable() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("templating").path("list").findValuesAsText("name"))
        .contains("datasource");
    List<JsonNode> panels = panels(dashboard);
    assertThat(panels).isNotEmpty();
    for (JsonNode panel : panels) {
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asText())
          .as("panel " + panel.path("title").asText()).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
    }
  }

  @Test
  void everyMetricTheAlertsAndTheDashboardNameIsExported() throws Exception {
    Map<String, String> used = new TreeMap<>();
    JsonNode rules = new YAMLMapper().readTree(RULES.toFile());
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String where = "alerts.yml " + rule.path(rule.has("alert") ? "alert" : "record").asText();
        metricNames(rule.path("expr").asText()).forEach(m -> used.putIfAbsent(m, where));
        if (rule.has("record")) {
          used.put(rule.path("record").asText(), "recorded");
        }
      }
    }
    Set<String> recorded = new TreeSet<>();
    used.forEach((name, where) -> {
      if (where.equals("recorded")) {
        recorded.add(name);
      }
    });
    for (JsonNode panel : panels(new ObjectMapper().readTree(DASHBOARD.toFile()))) {
      for (JsonNode target : panel.path("targets")) {
        metricNames(target.path("expr").asText())
            .forEach(m -> used.putIfAbsent(m, "dashboard " + panel.path("title").asText()));
      }
    }
    recorded.forEach(used::remove);
    assertThat(used).isNotEmpty();

    Set<String> exported = new TreeSet<>();
    // The onboarding gauges read Temporal's visibility every 2 s here (a minute by default).
    try (Stack stack = Stack.start("observability",
        new Stack.Options().workerEnv("METRICS_VISIBILITY_INTERVAL", "2s"))) {
      Customer connected = Customer.of(stack, Customer.newAccountId(), "obs-connected");
      stack.metering().failNext("ResolveCustomer", "ThrottlingException", 1);
      connected.connectNewOrganization("Observability Org");
      new Customer(stack, Customer.newAccountId(), "expired-token-obs", "obs-expired").register();
      Customer waiting = Customer.of(stack, Customer.newAccountId(), "obs-waiting").register();
      Waits.until("the SDK's, the workflows' and the gauges' metrics", Duration.ofSeconds(90),
          () -> {
            Metrics worker = Metrics.scrape(stack.workerStatusBase() + "/metrics");
            return worker.sum("mpconnect_onboardings_completed_total",
                    Map.of("outcome", "CONNECTED")) >= 1
                && worker.sum("mpconnect_onboardings_running",
                    Map.of("step", "AWAITING_AUTHENTICATION")) >= 1
                && worker.has("temporal_activity_schedule_to_start_latency_seconds_count")
                && worker.has("temporal_worker_task_slots_available");
          });
      String workerText = Stack.get(stack.workerStatusBase() + "/metrics");
      String apiText = Stack.get(stack.apiBase() + "/metrics");
      Path out = Path.of(System.getProperty("e2e.target", "target")).resolve("observability");
      Files.createDirectories(out);
      Files.writeString(out.resolve("worker-metrics.txt"), workerText);
      Files.writeString(out.resolve("api-metrics.txt"), apiText);
      for (String text : List.of(workerText, apiText)) {
        Metrics.parse(text).samples().forEach(s -> exported.add(s.name()));
      }
      Metrics worker = Metrics.parse(workerText);
      // The gauges added for the alerts, on the real worker: nothing is backed up here.
      assertThat(worker.sum("mpconnect_outbox_oldest_pending_seconds", Map.of())).isLessThan(600);
      assertThat(worker.sum("mpconnect_parked_events_unresolved", Map.of())).isZero();
      assertThat(worker.sum("mpconnect_metering_mismatches_open", Map.of())).isZero();
      assertThat(worker.sum("mpconnect_metering_oldest_incomplete_hour_seconds", Map.of()))
          .isLessThan(3600);
      assertThat(worker.sum("mpconnect_onboarding_oldest_running_seconds",
          Map.of("step", "AWAITING_AUTHENTICATION"))).isBetween(0.0, 600.0);
      assertThat(worker.sum("mpconnect_metering_alerts_total",
          Map.of("reason", "CustomerNotSubscribedOnUsableLicense"))).isZero();
      assertThat(waiting.view().step()).isNotNull();
    }
    Map<String, String> missing = new TreeMap<>(used);
    missing.keySet().removeAll(exported);
    assertThat(missing)
        .as("metrics named by the alerts or the dashboard that neither process exports"
            + " (scrapes in e2e/target/observability)")
        .isEmpty();
  }

  // ---- helpers

  private static final Set<String> PROMQL_WORDS = Set.of(
      "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left",
      "group_right", "inf", "nan", "Inf", "NaN", "atan2");
  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

  /** The metric names of a PromQL expression: identifiers that are not functions or keywords. */
  static Set<String> metricNames(String expr) {
    String s = STRINGS.matcher(expr).replaceAll("\"\"");
    s = s.replaceAll("\\{[^}]*}", " ");
    s = s.replaceAll("\\[[^\\]]*]", " ");
    s = GROUPING.matcher(s).replaceAll(" ");
    s = s.replaceAll("\\boffset\\s+\\S+", " ");
    s = s.replaceAll("\\$\\{?\\w+}?", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group(1);
      if (!PROMQL_WORDS.contains(word) && !word.matches("\\d.*")) {
        names.add(word);
      }
    }
    return names;
  }

  @Test
  void metricNamesAreReadFromPromQl() {
    assertThat(metricNames("sum by (step) (rate(a_total{x=\"b\"}[5m])) / on (step) group_left"
        + " max(c_seconds offset 1h) > bool 3 and absent(d) or histogram_quantile(0.9,"
        + " sum by (le) (rate(e_bucket[$__rate_interval])))"))
        .containsExactly("a_total", "c_seconds", "d", "e_bucket");
  }

  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add);
    }
    return all;
  }

  private static void promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("promtool");
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new AssertionError("promtool is not installed: install Debian's prometheus package"
          + " (apt-get install -y prometheus; bin/test does it)", e);
    }
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within 2 minutes");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue())
        .as(String.join(" ", command) + " failed:\n" + output)
        .isZero();
    // CI's log shows what promtool checked (rules found, rule tests passed).
    System.out.print(String.join(" ", command) + "\n" + output.strip().indent(2));
  }
}
