package io.mpconnect.e2e.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.Browser;
import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.FaultReport;
import io.mpconnect.e2e.harness.Journeys;
import io.mpconnect.e2e.harness.Metrics;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.e2e.harness.RunsAlone;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.metering.MeteringIds;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleListDescription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fleet on one Temporal and one PostgreSQL: two api and two worker processes (separate JVMs)
 * on the real Temporal dev server. 500 customers go through the whole journey over HTTP, spread
 * over both apis as a round-robin load balancer would (register, OIDC sign-in, create an
 * organization, connect), while AWS's subscribe-success for each comes through the lifecycle
 * queue that both workers consume. Meanwhile one worker is killed with kill -9 and started again,
 * the Temporal server is stopped and started again, and one api is stopped (SIGTERM): its
 * customers go on through the other one. AWS throttles 5% of the ResolveCustomer calls throughout.
 * (This test took over the 200-customer ConcurrentOnboardingsTest: Temporal restarting under
 * load is checked here, on the fleet.)
 *
 * <p>Checked: every journey ends CONNECTED, nothing stuck, one link and one confirmation e-mail
 * per customer (FaultReport); every subscribe-success applied once (one transition to ACTIVE and
 * one plan change per account, whichever worker took the message, however often SQS delivered
 * it); one metering schedule and one run per metering hour although every worker start creates or
 * updates the schedule and fires it. The summary goes to stdout and {@code
 * target/fleet-summary.md} (bin/test prints it at the end).
 */
@RunsAlone
class FleetTest {
  static final int CUSTOMERS = Integer.getInteger("e2e.fleet.customers", 500);
  static final int BROWSERS = 24;
  private static Stack stack;

  @BeforeAll
  static void start() {
    stack = Stack.start("fleet", new Stack.Options().fleet(2, 2).lifecycleQueue().headless());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void givenTwoApisAndTwoWorkers_whenAWorkerIsKilledAndAnApiStopped_everyJourneyEndsOnce() {
    Instant began = Instant.now();
    Map<Customer, OnboardingOutcome> expected = new LinkedHashMap<>();
    Map<String, AtomicInteger> journeysPerApi = new ConcurrentHashMap<>();
    AtomicInteger connected = new AtomicInteger();
    Instant killed;
    Duration workerBack;
    Duration apiStop;
    Duration temporalDown;
    Map<Integer, Double> deliveredBeforeKill = new TreeMap<>();
    long seed = Long.getLong("e2e.seed", System.currentTimeMillis());
    stack.metering().setRandomSeed(seed);
    stack.metering().setFailureRate("ResolveCustomer", "ThrottlingException", 0.05);
    System.out.printf("fleet: seed %d, AWS throttles 5%% of ResolveCustomer calls%n", seed);
    try (Journeys journeys = new Journeys(BROWSERS)) {
      for (int i = 0; i < CUSTOMERS; i++) {
        int n = i;
        int preferred = i % 2; // a round-robin load balancer; the other api when it is down
        Browser browser = new Browser(() -> stack.routeToApi(preferred), stack::isApiUrl);
        String account = Customer.newAccountId();
        Customer customer = new Customer(stack, browser, account,
            MeteringStandIn.newLegacyToken(account), "fleet-" + i);
        expected.put(customer, OnboardingOutcome.CONNECTED);
        journeys.run(() -> {
          // AWS's subscribe-success through the queue: before the registration for half of them,
          // after the choice for the others.
          if (n % 2 == 0) {
            subscribeSuccess(account);
          }
          customer.register();
          journeysPerApi.computeIfAbsent(apiName(browser.lastApiBase()), k -> new AtomicInteger())
              .incrementAndGet();
          customer.signIn().createOrganization("Fleet Org " + n);
          if (n % 2 == 1) {
            subscribeSuccess(account);
          }
          connected.incrementAndGet();
        });
      }

      Waits.until("a third of the journeys done", Duration.ofMinutes(8),
          () -> connected.get() >= CUSTOMERS / 3);
      deliveredBeforeKill.put(1, delivered(1));
      stack.worker(1).kill();
      killed = Instant.now();
      System.out.printf("worker2 killed (kill -9) with %d of %d journeys done%n", connected.get(),
          CUSTOMERS);
      stack.startWorker(1);
      workerBack = Duration.between(killed, Instant.now());

      Waits.until("half of the journeys done", Duration.ofMinutes(8),
          () -> connected.get() >= CUSTOMERS / 2);
      stack.temporal().stop();
      Instant stopped = Instant.now();
      Waits.sleep(Duration.ofSeconds(5));
      stack.temporal().start();
      temporalDown = Duration.between(stopped, Instant.now());
      System.out.printf("Temporal down for %d ms with %d of %d journeys done%n",
          temporalDown.toMillis(), connected.get(), CUSTOMERS);

      Waits.until("two thirds of the journeys done", Duration.ofMinutes(8),
          () -> connected.get() >= 2 * CUSTOMERS / 3);
      apiStop = stack.stopApi(1, Duration.ofSeconds(10));
      System.out.printf("api2 stopped (SIGTERM) in %d ms with %d of %d journeys done%n",
          apiStop.toMillis(), connected.get(), CUSTOMERS);

      journeys.awaitAll(Duration.ofMinutes(10));
    } finally {
      stack.metering().setFailureRate("ResolveCustomer", "ThrottlingException", 0);
    }
    Duration journeysTook = Duration.between(began, Instant.now());

    FaultReport.Result result = FaultReport.check(stack,
        CUSTOMERS + " journeys, fleet of 2+2, kill -9, Temporal restart, api stop", expected,
        killed, Duration.ofMinutes(3));

    // Each subscribe-success applied once: one transition to ACTIVE per account and one plan
    // change to Standard per organization, whichever worker took it and however often SQS
    // delivered it.
    List<String> accounts = expected.keySet().stream().map(Customer::awsAccountId).toList();
    Map<String, Integer> activations = countPerAccount(
        "action = 'SUBSCRIPTION_STATUS_CHANGED' AND details->>'to' = 'ACTIVE'", accounts);
    Map<String, Integer> planChanges = countPerAccount(
        "action = 'PLAN_CHANGED' AND details->>'toPlan' = 'STANDARD'", accounts);
    int appliedTwice = 0;
    int notApplied = 0;
    for (String account : accounts) {
      int active = activations.getOrDefault(account, 0);
      int plan = planChanges.getOrDefault(account, 0);
      appliedTwice += Math.max(0, active - 1) + Math.max(0, plan - 1);
      notApplied += active == 0 || plan == 0 ? 1 : 0;
    }
    Map<Integer, Double> deliveredPerWorker = new TreeMap<>();
    for (int w = 0; w < stack.workerCount(); w++) {
      deliveredPerWorker.put(w, delivered(w) + deliveredBeforeKill.getOrDefault(w, 0.0));
    }

    // The metering schedule: every worker start created or updated it and fired it once (three
    // starts here); still one schedule, and each metering hour ran once.
    ScheduleClient schedules = ScheduleClient.newInstance(stack.service(),
        ScheduleClientOptions.newBuilder().setNamespace("default").build());
    Waits.until("a metering run", Duration.ofMinutes(1), () -> !meteringRuns().isEmpty());
    List<String> scheduleIds = schedules.listSchedules().map(ScheduleListDescription::getScheduleId)
        .toList();
    Map<String, Long> runsPerHour = meteringRuns().stream().collect(Collectors.groupingBy(
        info -> info.getExecution().getWorkflowId(), TreeMap::new, Collectors.counting()));
    long hoursRunTwice = runsPerHour.values().stream().filter(n -> n > 1).count();

    String summary = summary(result, journeysPerApi, appliedTwice, notApplied,
        deliveredPerWorker, scheduleIds, runsPerHour, workerBack, temporalDown, apiStop,
        journeysTook);
    System.out.print(summary);
    System.out.flush();
    write(summary);

    assertThat(result.started()).as("journeys").isEqualTo(CUSTOMERS);
    assertThat(result.stuck()).as("stuck").isZero();
    assertThat(result.wrongOutcome()).as("wrong outcome").isZero();
    assertThat(result.duplicateLinks()).as("duplicate links").isZero();
    assertThat(result.missingLinks()).as("missing links").isZero();
    assertThat(result.duplicateMails()).as("duplicate e-mails").isZero();
    assertThat(result.missingMails()).as("missing e-mails").isZero();
    assertThat(journeysPerApi.keySet()).as("both apis served journeys")
        .containsExactlyInAnyOrder("api1", "api2");
    assertThat(appliedTwice).as("events applied twice").isZero();
    assertThat(notApplied).as("accounts whose subscribe-success was not applied").isZero();
    assertThat(deliveredPerWorker.values()).as("both workers consumed the queue")
        .allSatisfy(n -> assertThat(n).isPositive());
    assertThat(scheduleIds).as("schedules").containsExactly(MeteringIds.SCHEDULE_ID);
    assertThat(runsPerHour).as("metering runs per hour").isNotEmpty();
    assertThat(hoursRunTwice).as("metering hours run twice").isZero();
    assertThat(apiStop).as("the api's exit after SIGTERM").isLessThan(Duration.ofSeconds(10));
  }

  // ---- helpers

  private static void subscribeSuccess(String account) {
    // A bare SNS message (no signature): the stack runs with MARKETPLACE_ACCEPT_UNSIGNED_EVENTS.
    stack.sendLifecycleEvent("{\"action\":\"subscribe-success\",\"customer-identifier\":\""
        + MeteringStandIn.demoCustomerIdentifier(account) + "\",\"product-code\":\""
        + Stack.PRODUCT_CODE + "\"}");
  }

  private static String apiName(String base) {
    for (int i = 0; i < stack.apiCount(); i++) {
      if (stack.apiBase(i).equals(base)) {
        return "api" + (i + 1);
      }
    }
    return String.valueOf(base);
  }

  /** Lifecycle events the worker's current process signalled (its metrics). */
  private static double delivered(int worker) {
    return Metrics.scrape(stack.workerStatusBase(worker) + "/metrics")
        .sum("mpconnect_lifecycle_events_delivered_total", Map.of());
  }

  private static Map<String, Integer> countPerAccount(String condition, List<String> accounts) {
    return stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT aws_account_id, count(*) FROM audit_log WHERE " + condition
                + " AND aws_account_id IN (<accounts>) GROUP BY aws_account_id")
        .bindList("accounts", accounts)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
        .list()
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }

  /** Every run of an hour's metering workflow ({@code metering-<hour>}), open or closed. */
  private static List<WorkflowExecutionInfo> meteringRuns() {
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
    do {
      ListWorkflowExecutionsResponse response = stack.service().blockingStub()
          .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
              .setNamespace("default")
              .setQuery("WorkflowType = 'MeteringWorkflow'")
              .setNextPageToken(page)
              .build());
      runs.addAll(response.getExecutionsList());
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    return runs;
  }

  private static String summary(FaultReport.Result result, Map<String, AtomicInteger> perApi,
      int appliedTwice, int notApplied, Map<Integer, Double> deliveredPerWorker,
      List<String> schedules, Map<String, Long> runsPerHour, Duration workerBack,
      Duration temporalDown, Duration apiStop, Duration journeysTook) {
    String apis = new TreeMap<>(perApi).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue().get()).collect(Collectors.joining(" "));
    String workers = deliveredPerWorker.entrySet().stream()
        .map(e -> "worker" + (e.getKey() + 1) + "=" + Math.round(e.getValue()))
        .collect(Collectors.joining(" "));
    String outcomes = result.outcomes().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    String runs = runsPerHour.entrySet().stream().map(e -> e.getKey() + "×" + e.getValue())
        .collect(Collectors.joining(" "));
    StringBuilder out = new StringBuilder();
    out.append("\nFLEET SUMMARY (2 api + 2 worker processes, one Temporal, one PostgreSQL)\n");
    out.append("| what | value |\n|---|---|\n");
    row(out, "journeys (registrations accepted per api)", result.started() + " (" + apis + ")");
    row(out, "completed by outcome", outcomes);
    row(out, "stuck", Integer.toString(result.stuck() + result.wrongOutcome()));
    row(out, "duplicate links", Integer.toString(result.duplicateLinks()));
    row(out, "duplicate e-mails", Integer.toString(result.duplicateMails()));
    row(out, "missing links / e-mails", result.missingLinks() + " / " + result.missingMails());
    row(out, "lifecycle events signalled per worker", workers);
    row(out, "events applied twice", Integer.toString(appliedTwice));
    row(out, "events not applied", Integer.toString(notApplied));
    row(out, "metering schedules", schedules.size() + " " + schedules);
    row(out, "metering runs per hour", runs);
    row(out, "recovery after the kill -9 (first onboarding closed)",
        String.format("%.1f s", result.recovery().toMillis() / 1000.0));
    row(out, "killed worker ready again after", String.format("%.1f s", workerBack.toMillis()
        / 1000.0));
    row(out, "Temporal server stopped and started again (down)",
        String.format("%.1f s", temporalDown.toMillis() / 1000.0));
    row(out, "api exit after SIGTERM", String.format("%.1f s", apiStop.toMillis() / 1000.0));
    row(out, "journeys took", String.format("%.0f s", journeysTook.toMillis() / 1000.0));
    return out.toString();
  }

  private static void row(StringBuilder out, String what, String value) {
    out.append("| ").append(what).append(" | ").append(value).append(" |\n");
  }

  private static void write(String summary) {
    Path file = Path.of(System.getProperty("e2e.target", "target")).toAbsolutePath()
        .resolve("fleet-summary.md");
    try {
      Files.writeString(file, summary.stripLeading(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
