package io.mpconnect.api.metering;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.api.web.BearerTokens;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.web.Json;
import io.mpconnect.config.MeteringSettings;
import io.mpconnect.persistence.LicenseWindows;
import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.NewUsage;
import io.mpconnect.persistence.metering.OrganizationBilling;
import io.mpconnect.persistence.metering.UsageIntake;
import io.mpconnect.persistence.metering.UsageRecordRepository;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/usage}: usage from the vendor's product, with the service token USAGE_TOKEN.
 * One record ({@code organizationId}, {@code dimension}, {@code quantity}, {@code timestamp},
 * {@code idempotencyKey}) or {@code {"records": [...]}} with up to {@value #MAX_BATCH}.
 *
 * <p>400: not JSON, a field missing or of the wrong type, a quantity that is not a whole number
 * from 0 to 2^31-1 written with digits only. 422: well-formed but refused (unknown
 * organization, not billed through AWS, unknown dimension, timestamp, a timestamp no
 * license of the organization's AWS customer can meter: before the license became usable, after
 * its final hour, or once it was revoked). A customer without license rows yet keeps the link's
 * rule (ACTIVE or UNSUBSCRIBE_PENDING). A batch is all or
 * nothing: any error stores nothing, and the answer lists every problem by index. 201: stored;
 * 200: every record was a replay of its idempotency key, nothing changed ({@code duplicate}).
 * 409: an idempotency key already holds different usage (nothing stored).
 */
public final class UsageIntakeRoutes {
  /** The api's body limit for this route (BodyLimits, 192 KiB) is sized for this many. */
  static final int MAX_BATCH = 500;
  static final int MAX_KEY_LENGTH = 200;
  /** Clocks differ a little; AWS allows the same. */
  static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
  static final BigInteger MAX_QUANTITY = BigInteger.valueOf(Integer.MAX_VALUE);
  /**
   * NaN and Infinity are read as numbers (JSON has neither) so that the answer names the record and
   * the field instead of calling the whole body malformed.
   */
  private static final ObjectReader READER =
      Json.MAPPER.reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

  private final MeteringStore store;
  private final MeteringApiSettings settings;
  private final Clock clock;

  UsageIntakeRoutes(MeteringStore store, MeteringApiSettings settings, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
  }

  void register(Javalin app) {
    app.post("/api/usage", this::intake);
  }

  private record Field(Integer index, String field, String message) {}

  private record Parsed(
      int index, UUID organizationId, String dimension, long quantity, Instant timestamp,
      String idempotencyKey) {}

  private void intake(Context ctx) {
    if (!BearerTokens.check(ctx, settings.usageToken(), "USAGE_TOKEN")) {
      return;
    }
    JsonNode body;
    try {
      body = READER.readTree(ctx.body());
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      ctx.status(400).json(Json.message("The body is not valid JSON"
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
          + ": send one usage record (organizationId, dimension, quantity, timestamp,"
          + " idempotencyKey) or {\"records\": [...]}."));
      return;
    } catch (IOException e) {
      body = null;
    }
    boolean batch = body != null && body.isObject() && body.has("records");
    List<JsonNode> items = new ArrayList<>();
    if (batch) {
      JsonNode records = body.get("records");
      if (!records.isArray() || records.isEmpty() || records.size() > MAX_BATCH) {
        ctx.status(400).json(Json.message(
            "\"records\" must be an array of 1 to " + MAX_BATCH + " usage records."));
        return;
      }
      records.forEach(items::add);
    } else if (body != null && body.isObject()) {
      items.add(body);
    } else {
      ctx.status(400).json(Json.message("Send JSON: one usage record (organizationId, dimension,"
          + " quantity, timestamp, idempotencyKey) or {\"records\": [...]}."));
      return;
    }

    List<Field> malformed = new ArrayList<>();
    List<Parsed> parsed = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Parsed p = parse(items.get(i), batch ? i : null, malformed);
      if (p != null) {
        parsed.add(p);
      }
    }
    if (!malformed.isEmpty()) {
      refuse(ctx, 400, "The usage is malformed; nothing was stored.", malformed);
      return;
    }

    Map<UUID, OrganizationBilling> billing;
    Map<CustomerKey, List<LicenseWindows.Window>> licenses;
    try {
      Set<UUID> organizations = new HashSet<>();
      parsed.forEach(p -> organizations.add(p.organizationId()));
      billing = store.use(jdbi -> new UsageRecordRepository(jdbi).billingOf(organizations));
      Set<CustomerKey> customers = new HashSet<>();
      billing.values().stream()
          .map(OrganizationBilling::customer)
          .filter(Objects::nonNull)
          .forEach(customers::add);
      licenses = customers.isEmpty()
          ? Map.of()
          : store.use(jdbi -> new LicenseWindows(jdbi).ofCustomers(customers));
    } catch (LazyPool.UnavailableException e) {
      unavailable(ctx);
      return;
    }
    List<Field> refused = new ArrayList<>();
    List<NewUsage> usages = new ArrayList<>();
    Instant now = clock.instant();
    for (Parsed p : parsed) {
      Integer index = batch ? p.index() : null;
      int before = refused.size();
      OrganizationBilling of = billing.get(p.organizationId());
      validate(p, index, of, of == null || of.customer() == null ? null
          : licenses.get(of.customer()), now, refused);
      if (refused.size() == before) {
        usages.add(new NewUsage(p.organizationId(), billing.get(p.organizationId()).customer(),
            p.dimension(), p.quantity(), p.timestamp(), p.idempotencyKey()));
      }
    }
    if (!refused.isEmpty()) {
      refuse(ctx, 422, "The usage was refused; nothing was stored.", refused);
      return;
    }

    UsageIntake intake;
    try {
      intake = store.use(jdbi -> new UsageRecordRepository(jdbi).append(usages));
    } catch (LazyPool.UnavailableException e) {
      unavailable(ctx);
      return;
    }
    respond(ctx, batch, parsed, intake);
  }

  private static Parsed parse(JsonNode item, Integer index, List<Field> problems) {
    if (!item.isObject()) {
      problems.add(new Field(index, null, "a usage record is a JSON object"));
      return null;
    }
    int before = problems.size();
    UUID organizationId = null;
    String organization = text(item, "organizationId", index, problems);
    if (organization != null) {
      try {
        organizationId = UUID.fromString(organization);
      } catch (IllegalArgumentException e) {
        problems.add(new Field(index, "organizationId", "must be an organization id (a UUID)"));
      }
    }
    String dimension = text(item, "dimension", index, problems);
    Long quantity = null;
    JsonNode q = item.get("quantity");
    if (q == null || q.isNull()) {
      problems.add(new Field(index, "quantity", "is required"));
    } else if (!q.isNumber()) {
      problems.add(new Field(index, "quantity", "must be a JSON number"));
    } else if (!q.isIntegralNumber()) {
      // 1.5, 1e2, 1e400 (Infinity to a double), NaN: refused as written, never rounded.
      problems.add(new Field(index, "quantity", "must be a whole number written with digits"
          + " only (no fraction, exponent, NaN or Infinity)"));
    } else if (q.bigIntegerValue().signum() < 0
        || q.bigIntegerValue().compareTo(MAX_QUANTITY) > 0) {
      problems.add(new Field(index, "quantity", "must be between 0 and " + MAX_QUANTITY));
    } else {
      quantity = q.longValue();
    }
    Instant timestamp = null;
    String time = text(item, "timestamp", index, problems);
    if (time != null) {
      try {
        timestamp = OffsetDateTime.parse(time).toInstant();
      } catch (DateTimeParseException e) {
        problems.add(new Field(index, "timestamp",
            "must be an ISO-8601 time with an offset, such as 2026-11-26T04:12:33Z"));
      }
    }
    String key = text(item, "idempotencyKey", index, problems);
    if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH
        || key.chars().anyMatch(Character::isISOControl))) {
      problems.add(new Field(index, "idempotencyKey",
          "must be 1 to " + MAX_KEY_LENGTH + " printable characters"));
    }
    if (problems.size() > before) {
      return null;
    }
    return new Parsed(index == null ? 0 : index, organizationId, dimension, quantity, timestamp,
        key);
  }

  /**
   * @param licenses the linked customer's license windows, or null/empty when it has no license
   *     rows yet (then the link's status decides: ACTIVE or UNSUBSCRIBE_PENDING)
   */
  private void validate(Parsed p, Integer index, OrganizationBilling billing,
      List<LicenseWindows.Window> licenses, Instant now, List<Field> problems) {
    MeteringSettings metering = settings.metering();
    if (billing == null) {
      problems.add(new Field(index, "organizationId", "no such organization"));
    } else if (billing.customer() != null && licenses != null && !licenses.isEmpty()) {
      // The licenses decide: usage is metered on a license usable at its timestamp, never before
      // the license's start nor once AWS accepts no more usage for it.
      LicenseWindows.refusal(licenses, p.timestamp(), now)
          .ifPresent(reason -> problems.add(new Field(index,
              licenses.stream().allMatch(w -> w.revoked(now)) ? "organizationId" : "timestamp",
              reason)));
    } else if (!billing.billedThroughAws()) {
      problems.add(new Field(index, "organizationId",
          "the organization is not billed through AWS Marketplace"
              + (billing.subscriptionStatus() == null
                  ? ""
                  : " (its subscription is " + billing.subscriptionStatus() + ")")));
    }
    if (!metering.dimensions().contains(p.dimension())) {
      problems.add(new Field(index, "dimension",
          metering.dimensions().isEmpty()
              ? "no dimensions are configured (METERING_DIMENSIONS)"
              : "must be one of " + String.join(", ", metering.dimensions())));
    }
    if (p.timestamp().isAfter(now.plus(FUTURE_SKEW))) {
      problems.add(new Field(index, "timestamp", "is in the future"));
    } else if (p.timestamp().isBefore(now.minus(metering.window()))) {
      problems.add(new Field(index, "timestamp",
          "is older than the metering window of " + describe(metering.window())));
    }
  }

  private static void respond(Context ctx, boolean batch, List<Parsed> parsed, UsageIntake intake) {
    if (intake.hasConflict()) {
      List<Field> conflicts = new ArrayList<>();
      for (int i = 0; i < intake.items().size(); i++) {
        if (intake.items().get(i).status() == UsageIntake.Status.CONFLICT) {
          conflicts.add(new Field(batch ? parsed.get(i).index() : null, "idempotencyKey",
              "already used for different usage"));
        }
      }
      refuse(ctx, 409, "An idempotency key is already used for different usage; nothing was"
          + " stored.", conflicts);
      return;
    }
    boolean created = intake.count(UsageIntake.Status.CREATED) > 0;
    ctx.status(created ? 201 : 200);
    if (!batch) {
      UsageIntake.Item item = intake.items().get(0);
      ctx.json(result(null, parsed.get(0), item));
      return;
    }
    List<Map<String, Object>> results = new ArrayList<>();
    for (int i = 0; i < intake.items().size(); i++) {
      results.add(result(parsed.get(i).index(), parsed.get(i), intake.items().get(i)));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("created", intake.count(UsageIntake.Status.CREATED));
    body.put("duplicates", intake.count(UsageIntake.Status.DUPLICATE));
    body.put("results", results);
    ctx.json(body);
  }

  private static Map<String, Object> result(Integer index, Parsed p, UsageIntake.Item item) {
    Map<String, Object> result = new LinkedHashMap<>();
    if (index != null) {
      result.put("index", index);
    }
    result.put("idempotencyKey", p.idempotencyKey());
    result.put("status", item.status() == UsageIntake.Status.CREATED ? "created" : "duplicate");
    result.put("duplicate", item.status() == UsageIntake.Status.DUPLICATE);
    result.put("usageRecordId", item.usageRecordId());
    return result;
  }

  private static void refuse(Context ctx, int status, String message, List<Field> problems) {
    List<Map<String, Object>> errors = new ArrayList<>();
    for (Field f : problems) {
      Map<String, Object> error = new LinkedHashMap<>();
      if (f.index() != null) {
        error.put("index", f.index());
      }
      if (f.field() != null) {
        error.put("field", f.field());
      }
      error.put("message", (f.field() == null ? "" : f.field() + " ") + f.message());
      errors.add(error);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", message);
    body.put("errors", errors);
    ctx.status(status).json(body);
  }

  private static String text(JsonNode item, String field, Integer index, List<Field> problems) {
    JsonNode value = item.get(field);
    if (value == null || value.isNull()) {
      problems.add(new Field(index, field, "is required"));
      return null;
    }
    if (!value.isTextual()) {
      problems.add(new Field(index, field, "must be a JSON string"));
      return null;
    }
    return value.asText();
  }

  static String describe(Duration duration) {
    return duration.toMinutes() % 60 == 0 ? duration.toHours() + " h" : duration.toMinutes() + " min";
  }

  static void unavailable(Context ctx) {
    ctx.status(503).json(Json.message("The usage store is unavailable; try again shortly."));
  }
}
