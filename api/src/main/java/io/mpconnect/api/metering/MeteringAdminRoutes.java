package io.mpconnect.api.metering;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.api.web.BearerTokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.web.Json;
import io.mpconnect.persistence.MarketplaceLink;
import io.mpconnect.persistence.MarketplaceLinkRepository;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.metering.MeteringMismatch;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.MeteringRecordView;
import io.mpconnect.persistence.metering.MeteringRun;
import io.mpconnect.persistence.metering.MeteringRunRepository;
import io.mpconnect.persistence.metering.RecordStatus;
import io.mpconnect.persistence.metering.UsageRecordRepository;
import io.mpconnect.workflows.metering.MeteringIds;
import io.mpconnect.workflows.metering.MeteringRunRequest;
import io.mpconnect.workflows.metering.MeteringWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Support endpoints (admin token, {@code Authorization: Bearer}):
 *
 * <ul>
 *   <li>{@code GET /admin/metering?organizationId=...&hours=48}: what was reported to AWS for the
 *       organization, hour by hour, newest first, per license (reported, sent, billed, refused and
 *       why), each record, the CustomerNotSubscribed mismatches, and its usage not yet metered;
 *   <li>{@code POST /admin/metering/runs} {@code {"hour": "2026-11-26T04:00:00Z"}}: meter that hour
 *       now. The same workflow as the schedule's ({@code metering-<hour>}): a run in progress is
 *       left alone, a finished hour runs again and sends only what is still unsent.
 * </ul>
 */
final class MeteringAdminRoutes {
  static final int DEFAULT_HOURS = 48;
  static final int MAX_HOURS = 24 * 31;
  private static final Logger log = LoggerFactory.getLogger(MeteringAdminRoutes.class);

  private final MeteringStore store;
  private final MeteringApiSettings settings;
  private final String adminToken;
  private final WorkflowClient client;
  private final String taskQueue;
  private final Clock clock;

  MeteringAdminRoutes(MeteringStore store, MeteringApiSettings settings, String adminToken,
      WorkflowClient client, String taskQueue, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.adminToken = adminToken;
    this.client = client;
    this.taskQueue = taskQueue;
    this.clock = clock;
  }

  void register(Javalin app) {
    app.get("/admin/metering", this::view);
    app.post("/admin/metering/runs", this::run);
  }

  private void view(Context ctx) {
    if (!BearerTokens.check(ctx, adminToken, "ADMIN_TOKEN")) {
      return;
    }
    UUID organizationId;
    try {
      organizationId = UUID.fromString(String.valueOf(ctx.queryParam("organizationId")));
    } catch (IllegalArgumentException e) {
      ctx.status(400).json(Json.message("Give ?organizationId=<organization id (a UUID)>."));
      return;
    }
    int hours = DEFAULT_HOURS;
    String hoursParam = ctx.queryParam("hours");
    if (hoursParam != null) {
      // ASCII digits only: Integer.parseInt would also take "+5" and other scripts' digits.
      hours = hoursParam.matches("[0-9]{1,4}") ? Integer.parseInt(hoursParam) : -1;
      if (hours < 1 || hours > MAX_HOURS) {
        ctx.status(400).json(Json.message("?hours must be between 1 and " + MAX_HOURS + "."));
        return;
      }
    }
    Instant since = clock.instant().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours));
    Map<String, Object> body;
    try {
      body = store.use(jdbi -> {
        Optional<Organization> organization = new OrganizationRepository(jdbi).findById(organizationId);
        if (organization.isEmpty()) {
          return null;
        }
        Optional<MarketplaceLink> link =
            new MarketplaceLinkRepository(jdbi).findByOrganization(organizationId);
        MeteringRecordRepository repository = new MeteringRecordRepository(jdbi);
        List<MeteringRecordView> records = repository.ofOrganization(organizationId, since);
        List<MeteringMismatch> mismatches =
            repository.mismatchesOfOrganization(organizationId, since);
        Map<Instant, MeteringRun> runs = new HashMap<>();
        new MeteringRunRepository(jdbi).since(since).forEach(r -> runs.put(r.hour(), r));
        return view(organization.get(), link.orElse(null), since, records, runs,
            new UsageRecordRepository(jdbi).unmeteredFor(organizationId), mismatches);
      });
    } catch (LazyPool.UnavailableException e) {
      UsageIntakeRoutes.unavailable(ctx);
      return;
    }
    if (body == null) {
      ctx.status(404).json(Json.message("No such organization."));
      return;
    }
    ctx.json(body);
  }

  private Map<String, Object> view(Organization organization, MarketplaceLink link, Instant since,
      List<MeteringRecordView> records, Map<Instant, MeteringRun> runs,
      List<UsageRecordRepository.UnmeteredUsage> unmetered, List<MeteringMismatch> mismatches) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("organizationId", organization.id());
    body.put("organizationName", organization.name());
    if (link == null) {
      body.put("marketplace", null);
    } else {
      Map<String, Object> marketplace = new LinkedHashMap<>();
      marketplace.put("productCode", link.productCode());
      marketplace.put("awsAccountId", link.awsAccountId());
      marketplace.put("customerIdentifier", link.customerIdentifier());
      marketplace.put("subscriptionStatus", link.subscriptionStatus().name());
      body.put("marketplace", marketplace);
    }
    body.put("dimensions", settings.metering().dimensions());
    body.put("since", iso(since));
    List<Map<String, Object>> waiting = new ArrayList<>();
    for (UsageRecordRepository.UnmeteredUsage u : unmetered) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("dimension", u.dimension());
      row.put("usageHour", iso(u.usageHour()));
      row.put("quantity", u.quantity());
      row.put("usageRecords", u.records());
      waiting.add(row);
    }
    body.put("unmetered", waiting);

    Map<Instant, List<MeteringRecordView>> byHour = new LinkedHashMap<>();
    for (MeteringRecordView r : records) {
      byHour.computeIfAbsent(r.usageHour(), h -> new ArrayList<>()).add(r);
    }
    List<Map<String, Object>> hours = new ArrayList<>();
    byHour.forEach((hour, hourRecords) -> {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("hour", iso(hour));
      MeteringRun run = runs.get(hour);
      if (run != null) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", run.status().name());
        r.put("attempts", run.attempts());
        r.put("finishedAt", iso(run.finishedAt()));
        r.put("lastError", run.lastError());
        entry.put("run", r);
      } else {
        entry.put("run", null);
      }
      entry.put("licenses", licenses(hourRecords));
      List<Map<String, Object>> rows = new ArrayList<>();
      for (MeteringRecordView r : hourRecords) {
        rows.add(record(r));
      }
      entry.put("records", rows);
      hours.add(entry);
    });
    body.put("hours", hours);
    List<Map<String, Object>> disagreements = new ArrayList<>();
    for (MeteringMismatch m : mismatches) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("usageHour", iso(m.usageHour()));
      row.put("licenseArn", m.licenseArn());
      row.put("licenseKey", m.licenseKey());
      row.put("dimension", m.dimension());
      row.put("quantity", m.quantity());
      row.put("awsAnswer", m.awsAnswer());
      row.put("licenseStatus", m.licenseStatus());
      row.put("reason", m.reason());
      row.put("detectedAt", iso(m.detectedAt()));
      disagreements.add(row);
    }
    // CustomerNotSubscribed where the product holds the license usable: needs a person.
    body.put("mismatches", disagreements);
    return body;
  }

  private static Map<String, Object> record(MeteringRecordView r) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("dimension", r.dimension());
    row.put("licenseArn", r.licenseArn());
    row.put("licenseKey", r.licenseKey());
    row.put("quantity", r.quantity());
    row.put("usageRecords", r.usageCount());
    row.put("status", r.status().name());
    row.put("meteringRecordId", r.awsMeteringRecordId());
    row.put("failure", r.failure());
    row.put("mismatch", r.mismatch());
    row.put("origin", r.origin().name());
    row.put("attempts", r.attempts());
    row.put("awsAccountId", r.awsAccountId());
    row.put("sentAs", sentAs(r));
    row.put("completedAt", iso(r.completedAt()));
    return row;
  }

  /** How the record names its customer on the wire. */
  private static String sentAs(MeteringRecordView r) {
    if (r.customerIdentifier() != null) {
      return "CustomerIdentifier"; // sent before V7, by the identifier AWS has since deprecated
    }
    return r.licenseArn() != null ? "CustomerAWSAccountId+LicenseArn" : "CustomerAWSAccountId";
  }

  /**
   * One hour's records per license: what was reported (quantity and usage reports), sent (AWS
   * answered or refused it), billed (Success), pending, and refused with why.
   */
  private static List<Map<String, Object>> licenses(List<MeteringRecordView> hourRecords) {
    Map<String, List<MeteringRecordView>> byLicense = new LinkedHashMap<>();
    for (MeteringRecordView r : hourRecords) {
      byLicense.computeIfAbsent(r.licenseArn() == null ? "" : r.licenseArn(),
          k -> new ArrayList<>()).add(r);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    byLicense.forEach((arn, list) -> {
      long reported = 0;
      long reports = 0;
      long sent = 0;
      long billed = 0;
      long pending = 0;
      List<Map<String, Object>> refused = new ArrayList<>();
      for (MeteringRecordView r : list) {
        reported += r.quantity();
        reports += r.usageCount();
        if (r.status() == RecordStatus.PENDING) {
          pending += r.quantity();
          continue;
        }
        boolean neverSent = r.status() == RecordStatus.FAILED && r.attempts() == 0;
        if (!neverSent) {
          sent += r.quantity();
        }
        if (r.status() == RecordStatus.SUCCESS) {
          billed += r.quantity();
        } else {
          Map<String, Object> why = new LinkedHashMap<>();
          why.put("dimension", r.dimension());
          why.put("quantity", r.quantity());
          why.put("status", r.status().name());
          why.put("reason", r.failure() != null ? r.failure() : r.status().name());
          why.put("mismatch", r.mismatch());
          refused.add(why);
        }
      }
      Map<String, Object> license = new LinkedHashMap<>();
      license.put("licenseArn", arn.isEmpty() ? null : arn);
      license.put("licenseKey", list.get(0).licenseKey());
      license.put("reported", reported);
      license.put("usageRecords", reports);
      license.put("sent", sent);
      license.put("billed", billed);
      license.put("pending", pending);
      license.put("refused", refused);
      out.add(license);
    });
    return out;
  }

  // The api's JSON mapper has no java.time module: instants go out as ISO-8601 strings.
  private static String iso(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private void run(Context ctx) {
    if (!BearerTokens.check(ctx, adminToken, "ADMIN_TOKEN")) {
      return;
    }
    Instant hour;
    try {
      JsonNode body = Json.MAPPER.readTree(ctx.body());
      hour = OffsetDateTime.parse(body.path("hour").asText()).toInstant();
    } catch (IOException | DateTimeParseException | NullPointerException e) {
      ctx.status(400).json(Json.message(
          "Send {\"hour\": \"2026-11-26T04:00:00Z\"}: the start of the hour to meter."));
      return;
    }
    Instant now = clock.instant();
    String problem = null;
    if (!MeteringIds.isHour(hour)) {
      problem = "The hour must start on the hour, such as " + hour.truncatedTo(ChronoUnit.HOURS);
    } else if (hour.plus(Duration.ofHours(1)).isAfter(now)) {
      problem = "That hour is not over yet.";
    } else if (hour.isBefore(now.minus(settings.metering().window()))) {
      problem = "That hour is outside the metering window of "
          + UsageIntakeRoutes.describe(settings.metering().window()) + "; AWS would refuse it.";
    }
    if (problem != null) {
      ctx.status(422).json(Json.message(problem));
      return;
    }
    String workflowId = MeteringIds.hourWorkflowId(hour);
    MeteringWorkflow workflow =
        client.newWorkflowStub(
            MeteringWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(taskQueue)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("hour", iso(hour));
    answer.put("workflowId", workflowId);
    try {
      WorkflowClient.start(workflow::meter, new MeteringRunRequest(hour));
      log.info("metering run {} started by hand", workflowId);
      answer.put("started", true);
      answer.put("message", "Metering of the hour started.");
      ctx.status(202).json(answer);
    } catch (WorkflowExecutionAlreadyStarted running) {
      answer.put("started", false);
      answer.put("message", "The hour is being metered already.");
      ctx.status(200).json(answer);
    } catch (io.temporal.client.WorkflowException | io.grpc.StatusRuntimeException e) {
      log.warn("cannot start metering run {}: {}", workflowId, e.getClass().getSimpleName());
      ctx.status(503).json(Json.message("Temporal is not reachable; try again shortly."));
    }
  }
}
