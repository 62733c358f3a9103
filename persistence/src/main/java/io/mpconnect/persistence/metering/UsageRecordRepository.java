package io.mpconnect.persistence.metering;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Usage reported by the vendor's product. Append-only (the schema refuses UPDATE and DELETE);
 * an idempotency key is unique per organization, so a replay stores nothing twice. Every stored
 * row also enters the {@code unmetered_usage} queue in the same transaction, where the hourly
 * aggregation claims it exactly once.
 */
public final class UsageRecordRepository {
  private static final String INSERT =
      """
      WITH input AS (
        SELECT *
        FROM unnest(CAST(:organizations AS uuid[]), CAST(:products AS text[]),
                    CAST(:accounts AS text[]), CAST(:dimensions AS text[]),
                    CAST(:quantities AS bigint[]), CAST(:times AS timestamptz[]),
                    CAST(:keys AS text[]))
          WITH ORDINALITY AS t(organization_id, product_code, aws_account_id, dimension, quantity,
                               usage_time, idempotency_key, position)
      ), stored AS (
        INSERT INTO usage_records
          (organization_id, product_code, aws_account_id, dimension, quantity, usage_time,
           usage_hour, idempotency_key)
        SELECT organization_id, product_code, aws_account_id, dimension, quantity, usage_time,
               date_trunc('hour', usage_time, 'UTC'), idempotency_key
        FROM input ORDER BY position
        ON CONFLICT (organization_id, idempotency_key) DO NOTHING
        RETURNING *
      ), queued AS (
        INSERT INTO unmetered_usage
          (usage_record_id, organization_id, product_code, aws_account_id, dimension, quantity,
           usage_hour)
        SELECT id, organization_id, product_code, aws_account_id, dimension, quantity, usage_hour
        FROM stored
      )
      SELECT id, organization_id, idempotency_key FROM stored\
      """;

  private static final String EXISTING =
      """
      SELECT u.id, u.organization_id, u.idempotency_key, u.dimension, u.quantity, u.usage_time
      FROM usage_records u
      JOIN unnest(CAST(:organizations AS uuid[]), CAST(:keys AS text[])) AS k(organization_id, key)
        ON u.organization_id = k.organization_id AND u.idempotency_key = k.key\
      """;

  private record Key(UUID organizationId, String idempotencyKey) {}

  private record Stored(long id, String dimension, long quantity, Instant usageTime) {}

  private static final class ConflictRollback extends RuntimeException {
    final transient UsageIntake intake;

    ConflictRollback(UsageIntake intake) {
      super(null, null, false, false);
      this.intake = intake;
    }
  }

  private final Jdbi jdbi;

  public UsageRecordRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Stores the usage in one transaction and says, item by item, what happened. Within one batch a
   * repeated key counts like a replay of the first occurrence.
   */
  public UsageIntake append(List<NewUsage> usages) {
    if (usages.isEmpty()) {
      return new UsageIntake(List.of());
    }
    try {
      return jdbi.inTransaction(
          h -> {
            UsageIntake intake = insert(h, usages);
            if (intake.hasConflict()) {
              throw new ConflictRollback(intake);
            }
            return intake;
          });
    } catch (ConflictRollback rolledBack) {
      List<UsageIntake.Item> items = new ArrayList<>();
      for (UsageIntake.Item item : rolledBack.intake.items()) {
        items.add(
            item.status() == UsageIntake.Status.CREATED
                ? new UsageIntake.Item(UsageIntake.Status.CREATED, null)
                : item);
      }
      return new UsageIntake(items);
    }
  }

  private static UsageIntake insert(Handle h, List<NewUsage> usages) {
    Map<Key, Long> created = new HashMap<>();
    bindAll(h.createQuery(INSERT), usages)
        .map(
            (rs, ctx) ->
                Map.entry(
                    new Key(rs.getObject("organization_id", UUID.class),
                        rs.getString("idempotency_key")),
                    rs.getLong("id")))
        .forEach(e -> created.put(e.getKey(), e.getValue()));

    List<NewUsage> earlier = new ArrayList<>();
    for (NewUsage usage : usages) {
      if (!created.containsKey(key(usage))) {
        earlier.add(usage);
      }
    }
    Map<Key, Stored> existing = new HashMap<>();
    if (!earlier.isEmpty()) {
      h.createQuery(EXISTING)
          .bindArray(
              "organizations",
              String.class,
              earlier.stream().map(u -> u.organizationId().toString()).toList())
          .bindArray("keys", String.class, earlier.stream().map(NewUsage::idempotencyKey).toList())
          .map(
              (rs, ctx) ->
                  Map.entry(
                      new Key(rs.getObject("organization_id", UUID.class),
                          rs.getString("idempotency_key")),
                      new Stored(
                          rs.getLong("id"),
                          rs.getString("dimension"),
                          rs.getLong("quantity"),
                          rs.getObject("usage_time", OffsetDateTime.class).toInstant())))
          .forEach(e -> existing.put(e.getKey(), e.getValue()));
    }

    Map<Key, NewUsage> firstInBatch = new HashMap<>();
    List<UsageIntake.Item> items = new ArrayList<>();
    for (NewUsage usage : usages) {
      Key key = key(usage);
      NewUsage first = firstInBatch.putIfAbsent(key, usage);
      if (first == null && created.containsKey(key)) {
        items.add(new UsageIntake.Item(UsageIntake.Status.CREATED, created.get(key)));
        continue;
      }
      boolean same;
      long id;
      if (first != null && created.containsKey(key)) {
        same = usage.sameUsageAs(first.dimension(), first.quantity(), first.usageTime());
        id = created.get(key);
      } else {
        Stored stored = existing.get(key);
        if (stored == null) {
          // Not inserted and not found: only a concurrent rolled-back writer could do this.
          throw new IllegalStateException("usage key vanished during intake; retry");
        }
        same = usage.sameUsageAs(stored.dimension(), stored.quantity(), stored.usageTime());
        id = stored.id();
      }
      items.add(
          new UsageIntake.Item(
              same ? UsageIntake.Status.DUPLICATE : UsageIntake.Status.CONFLICT, id));
    }
    return new UsageIntake(List.copyOf(items));
  }

  private static org.jdbi.v3.core.statement.Query bindAll(
      org.jdbi.v3.core.statement.Query query, List<NewUsage> usages) {
    return query
        .bindArray(
            "organizations", String.class,
            usages.stream().map(u -> u.organizationId().toString()).toList())
        .bindArray("products", String.class,
            usages.stream().map(u -> u.customer().productCode()).toList())
        .bindArray("accounts", String.class,
            usages.stream().map(u -> u.customer().awsAccountId()).toList())
        .bindArray("dimensions", String.class, usages.stream().map(NewUsage::dimension).toList())
        .bindArray("quantities", Long.class, usages.stream().map(NewUsage::quantity).toList())
        .bindArray("times", String.class,
            usages.stream().map(u -> u.usageTime().toString()).toList())
        .bindArray("keys", String.class, usages.stream().map(NewUsage::idempotencyKey).toList());
  }

  private static Key key(NewUsage usage) {
    return new Key(usage.organizationId(), usage.idempotencyKey());
  }

  /** The organizations that exist among {@code organizationIds}, with their marketplace link. */
  public Map<UUID, OrganizationBilling> billingOf(java.util.Collection<UUID> organizationIds) {
    Map<UUID, OrganizationBilling> found = new HashMap<>();
    jdbi.useHandle(
        h ->
            h.createQuery(
                    """
                    SELECT o.id, l.product_code, l.aws_account_id, l.subscription_status
                    FROM organizations o
                    LEFT JOIN marketplace_links l ON l.organization_id = o.id
                    WHERE o.id = ANY(CAST(:ids AS uuid[]))                    """)
                .bindArray("ids", String.class, organizationIds.stream().map(UUID::toString).toList())
                .map(
                    (rs, ctx) -> {
                      UUID id = rs.getObject("id", UUID.class);
                      String product = rs.getString("product_code");
                      return new OrganizationBilling(
                          id,
                          product == null
                              ? null
                              : new CustomerKey(product, rs.getString("aws_account_id")),
                          rs.getString("subscription_status"));
                    })
                .forEach(b -> found.put(b.organizationId(), b)));
    return found;
  }

  /** Usage of the organization not yet in a metering record, per dimension and hour. */
  public List<UnmeteredUsage> unmeteredFor(UUID organizationId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT dimension, usage_hour, sum(quantity) AS quantity, count(*) AS records
                    FROM unmetered_usage WHERE organization_id = :organizationId
                    GROUP BY dimension, usage_hour ORDER BY usage_hour DESC, dimension\
                    """)
                .bind("organizationId", organizationId)
                .map(
                    (rs, ctx) ->
                        new UnmeteredUsage(
                            rs.getString("dimension"),
                            rs.getObject("usage_hour", OffsetDateTime.class).toInstant(),
                            rs.getLong("quantity"),
                            rs.getInt("records")))
                .list());
  }

  /** Usage of a dimension and hour, reported for the organization (whatever became of it). */
  public long reportedQuantity(UUID organizationId, String dimension, Instant hour) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT coalesce(sum(quantity), 0) FROM usage_records
                    WHERE organization_id = :organizationId AND dimension = :dimension
                      AND usage_hour = :hour\
                    """)
                .bind("organizationId", organizationId)
                .bind("dimension", dimension)
                .bind("hour", OffsetDateTime.ofInstant(hour, java.time.ZoneOffset.UTC))
                .mapTo(Long.class)
                .one());
  }

  /**
   * @param records how many usage reports make up the quantity
   */
  public record UnmeteredUsage(String dimension, Instant usageHour, long quantity, int records) {}
}
