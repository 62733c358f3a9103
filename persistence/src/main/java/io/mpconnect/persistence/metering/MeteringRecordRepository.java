package io.mpconnect.persistence.metering;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Metering records: the hourly aggregates sent to AWS, and their outcomes.
 *
 * <p>Aggregation moves usage from the {@code unmetered_usage} queue into metering records in one
 * transaction, under a lock that serializes aggregations (hourly runs and final flushes), so each
 * usage row is billed in exactly one record. A record, once written, never changes its quantity;
 * usage arriving for a (customer, dimension, hour) that already has a record stays queued and is
 * billed with the customer's next hour. Only the status columns of a record ever change, and only
 * from PENDING.
 */
public final class MeteringRecordRepository {
  /** AWS's upper bound of a record's Quantity (a Java int). */
  public static final long MAX_QUANTITY = Integer.MAX_VALUE;

  // Any constant unique to this purpose; pg_advisory_xact_lock releases it at commit.
  private static final long AGGREGATION_LOCK = 0x6d70_6d65_7465_72L;

  private static final String CLAIM =
      """
      WITH taken AS (
        DELETE FROM unmetered_usage q
        WHERE q.usage_hour <= :hour
          %s
          AND NOT EXISTS (
            SELECT 1 FROM metering_records r
            WHERE r.product_code = q.product_code AND r.aws_account_id = q.aws_account_id
              AND r.dimension = q.dimension AND r.usage_hour = :hour)
        RETURNING q.*
      ), sums AS (
        SELECT product_code, aws_account_id, dimension,
               sum(quantity) AS quantity, count(*) AS usage_count,
               (array_agg(organization_id ORDER BY usage_record_id DESC))[1] AS organization_id
        FROM taken GROUP BY product_code, aws_account_id, dimension
      ), created AS (
        INSERT INTO metering_records
          (product_code, aws_account_id, customer_identifier, organization_id, dimension,
           usage_hour, quantity, usage_count, origin, status, failure, completed_at)
        SELECT s.product_code, s.aws_account_id, c.customer_identifier, s.organization_id,
               s.dimension, :hour, s.quantity, s.usage_count, :origin,
               CASE WHEN s.quantity > :maxQuantity THEN 'FAILED' ELSE 'PENDING' END,
               CASE WHEN s.quantity > :maxQuantity THEN 'QuantityOutOfRange' END,
               CASE WHEN s.quantity > :maxQuantity THEN now() END
        FROM sums s
        LEFT JOIN marketplace_customers c
          ON c.product_code = s.product_code AND c.aws_account_id = s.aws_account_id
        RETURNING id, product_code, aws_account_id, dimension, status
      ), claimed AS (
        INSERT INTO metered_usage (usage_record_id, metering_record_id)
        SELECT t.usage_record_id, c.id
        FROM taken t
        JOIN created c
          ON c.product_code = t.product_code AND c.aws_account_id = t.aws_account_id
         AND c.dimension = t.dimension
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM created) AS records,
             (SELECT count(*) FROM claimed) AS claimed,
             (SELECT count(*) FROM created WHERE status = 'FAILED') AS oversized\
      """;

  private static final String ZEROS =
      """
      INSERT INTO metering_records
        (product_code, aws_account_id, customer_identifier, organization_id, dimension,
         usage_hour, quantity, usage_count, origin)
      SELECT l.product_code, l.aws_account_id, c.customer_identifier, l.organization_id,
             d.dimension, :hour, 0, 0, :origin
      FROM marketplace_links l
      JOIN marketplace_customers c
        ON c.product_code = l.product_code AND c.aws_account_id = l.aws_account_id
      CROSS JOIN unnest(CAST(:dimensions AS text[])) AS d(dimension)
      WHERE l.product_code = :productCode
        %s
        AND (l.subscription_status = 'UNSUBSCRIBE_PENDING'
             OR (l.subscription_status = 'ACTIVE' AND l.status_changed_at < :hourEnd))
      ON CONFLICT (product_code, aws_account_id, dimension, usage_hour) DO NOTHING\
      """;

  private static final String CUSTOMER_FILTER_QUEUE =
      "AND q.product_code = :customerProduct AND q.aws_account_id = :customerAccount";
  private static final String CUSTOMER_FILTER_LINK =
      "AND l.aws_account_id = :customerAccount";

  private final Jdbi jdbi;

  public MeteringRecordRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Creates the metering records of {@code hour}: one per (customer, dimension) with queued usage
   * up to the end of the hour and no record for the hour yet, and a zero-quantity record for each
   * of {@code zeroDimensions} of every customer of {@code productCode} billed through AWS in that
   * hour that has none. Idempotent: a second call creates only what new usage requires.
   *
   * @param onlyCustomer restricts everything to this customer (the final flush), or null
   */
  public Aggregation aggregate(
      Instant hour,
      Origin origin,
      String productCode,
      List<String> zeroDimensions,
      CustomerKey onlyCustomer) {
    return jdbi.inTransaction(
        h -> {
          lockAggregation(h);
          return aggregateLocked(h, hour, origin, productCode, zeroDimensions, onlyCustomer);
        });
  }

  /**
   * The final flush's aggregation: the customer's queued usage goes into records of its own hour
   * (oldest first, hours before {@code oldestHour} into {@code oldestHour}), everything newer into
   * {@code currentHour}, which also gets zero records, all in one transaction.
   */
  public Aggregation aggregateCustomer(
      CustomerKey customer,
      Instant oldestHour,
      Instant currentHour,
      List<String> zeroDimensions) {
    return jdbi.inTransaction(
        h -> {
          lockAggregation(h);
          List<Instant> hours =
              h.createQuery(
                      """
                      SELECT DISTINCT usage_hour FROM unmetered_usage
                      WHERE product_code = :p AND aws_account_id = :a ORDER BY usage_hour\
                      """)
                  .bind("p", customer.productCode())
                  .bind("a", customer.awsAccountId())
                  .map((rs, ctx) -> Timestamps.instant(rs, "usage_hour"))
                  .list();
          Aggregation total = Aggregation.NONE;
          for (Instant usageHour : hours) {
            Instant hour = usageHour.isBefore(oldestHour) ? oldestHour : usageHour;
            if (hour.isBefore(currentHour)) {
              total =
                  total.plus(
                      aggregateLocked(h, hour, Origin.FINAL_FLUSH, customer.productCode(),
                          List.of(), customer));
            }
          }
          return total.plus(
              aggregateLocked(h, currentHour, Origin.FINAL_FLUSH, customer.productCode(),
                  zeroDimensions, customer));
        });
  }

  private static void lockAggregation(Handle h) {
    h.createQuery("SELECT pg_advisory_xact_lock(:key)::text")
        .bind("key", AGGREGATION_LOCK)
        .mapTo(String.class)
        .one();
  }

  private static Aggregation aggregateLocked(
      Handle h,
      Instant hour,
      Origin origin,
      String productCode,
      List<String> zeroDimensions,
      CustomerKey onlyCustomer) {
    var claim =
        h.createQuery(CLAIM.formatted(onlyCustomer == null ? "" : CUSTOMER_FILTER_QUEUE))
            .bind("hour", Timestamps.utc(hour))
            .bind("origin", origin.name())
            .bind("maxQuantity", MAX_QUANTITY);
    if (onlyCustomer != null) {
      claim
          .bind("customerProduct", onlyCustomer.productCode())
          .bind("customerAccount", onlyCustomer.awsAccountId());
    }
    int[] counts =
        claim
            .map(
                (rs, ctx) ->
                    new int[] {rs.getInt("records"), rs.getInt("claimed"), rs.getInt("oversized")})
            .one();
    int zeros = 0;
    if (!zeroDimensions.isEmpty()
        && (onlyCustomer == null || onlyCustomer.productCode().equals(productCode))) {
      var insert =
          h.createUpdate(ZEROS.formatted(onlyCustomer == null ? "" : CUSTOMER_FILTER_LINK))
              .bind("hour", Timestamps.utc(hour))
              .bind("hourEnd", Timestamps.utc(hour.plus(Duration.ofHours(1))))
              .bind("origin", origin.name())
              .bind("productCode", productCode)
              .bindArray("dimensions", String.class, zeroDimensions);
      if (onlyCustomer != null) {
        insert.bind("customerAccount", onlyCustomer.awsAccountId());
      }
      zeros = insert.execute();
    }
    return new Aggregation(counts[0], counts[1], zeros, counts[2]);
  }

  /**
   * Up to {@code limit} pending records of the hour after the cursor, in (product, dimension, id)
   * order. The caller cuts a batch where the product or dimension changes.
   */
  public List<PendingRecord> pendingOfHour(Instant hour, Cursor after, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM metering_records
                    WHERE usage_hour = :hour AND status = 'PENDING'
                      AND (product_code, dimension, id) > (:a, :b, :id)
                    ORDER BY product_code, dimension, id
                    LIMIT :limit\
                    """)
                .bind("hour", Timestamps.utc(hour))
                .bind("a", after.first())
                .bind("b", after.second())
                .bind("id", after.id())
                .bind("limit", limit)
                .map((rs, ctx) -> pending(rs))
                .list());
  }

  /** The customer's pending records of any hour, in (dimension, hour, id) order. */
  public List<PendingRecord> pendingOfCustomer(CustomerKey customer, Cursor after, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM metering_records
                    WHERE product_code = :p AND aws_account_id = :acct AND status = 'PENDING'
                      AND (dimension, usage_hour, id) > (:a, CAST(:b AS timestamptz), :id)
                    ORDER BY dimension, usage_hour, id
                    LIMIT :limit\
                    """)
                .bind("p", customer.productCode())
                .bind("acct", customer.awsAccountId())
                .bind("a", after.first())
                .bind("b", after.second().isEmpty() ? "-infinity" : after.second())
                .bind("id", after.id())
                .bind("limit", limit)
                .map((rs, ctx) -> pending(rs))
                .list());
  }

  public int countPendingOfHour(Instant hour) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FROM metering_records"
                        + " WHERE usage_hour = :hour AND status = 'PENDING'")
                .bind("hour", Timestamps.utc(hour))
                .mapTo(Integer.class)
                .one());
  }

  public int countPendingOfCustomer(CustomerKey customer) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT count(*) FROM metering_records
                    WHERE product_code = :p AND aws_account_id = :a AND status = 'PENDING'\
                    """)
                .bind("p", customer.productCode())
                .bind("a", customer.awsAccountId())
                .mapTo(Integer.class)
                .one());
  }

  /**
   * Stores AWS's answers and counts one more attempt of the unprocessed records, in one
   * transaction. Only PENDING records change: when two senders raced on a record, the first answer
   * stands (AWS gave both the same one).
   *
   * @return the outcomes that changed a record (what to count in metrics)
   */
  public List<RecordOutcome> recordOutcomes(List<RecordOutcome> outcomes, List<Long> unprocessed) {
    return jdbi.inTransaction(
        h -> {
          List<RecordOutcome> applied = new ArrayList<>();
          if (!outcomes.isEmpty()) {
            PreparedBatch batch =
                h.prepareBatch(
                    """
                    UPDATE metering_records
                    SET status = :status, aws_metering_record_id = :meteringRecordId,
                        failure = :failure, attempts = attempts + 1,
                        last_attempt_at = now(), completed_at = now()
                    WHERE id = :id AND status = 'PENDING'\
                    """);
            for (RecordOutcome outcome : outcomes) {
              batch
                  .bind("id", outcome.id())
                  .bind("status", outcome.status().name())
                  .bind("meteringRecordId", outcome.awsMeteringRecordId())
                  .bind("failure", outcome.failure())
                  .add();
            }
            int[] changed = batch.execute();
            for (int i = 0; i < changed.length; i++) {
              if (changed[i] > 0) {
                applied.add(outcomes.get(i));
              }
            }
          }
          if (!unprocessed.isEmpty()) {
            h.createUpdate(
                    """
                    UPDATE metering_records SET attempts = attempts + 1, last_attempt_at = now()
                    WHERE id = ANY(:ids) AND status = 'PENDING'\
                    """)
                .bindArray("ids", Long.class, unprocessed)
                .execute();
          }
          return applied;
        });
  }

  /** Counts one more attempt of records whose call failed as a whole (throttled, AWS down). */
  public void recordAttempt(List<Long> ids) {
    recordOutcomes(List.of(), ids);
  }

  /**
   * Fails every pending record of the hour (and dimension, when given) for good: what AWS refuses
   * for the whole hour (a timestamp out of its window) or dimension (not in the listing).
   *
   * @return the ids failed now
   */
  public List<Long> failPending(Instant hour, String dimension, String failure) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    UPDATE metering_records
                    SET status = 'FAILED', failure = :failure, completed_at = now()
                    WHERE usage_hour = :hour AND status = 'PENDING'
                      AND (CAST(:dimension AS text) IS NULL OR dimension = :dimension)
                    RETURNING id\
                    """)
                .bind("hour", Timestamps.utc(hour))
                .bind("dimension", dimension)
                .bind("failure", failure)
                .mapTo(Long.class)
                .list());
  }

  public HourCounts countsOfHour(Instant hour) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT count(*) FILTER (WHERE status = 'PENDING') AS pending,
                           count(*) FILTER (WHERE status = 'SUCCESS') AS succeeded,
                           count(*) FILTER (WHERE status = 'CUSTOMER_NOT_SUBSCRIBED') AS ns,
                           count(*) FILTER (WHERE status = 'DUPLICATE_RECORD') AS dup,
                           count(*) FILTER (WHERE status = 'FAILED') AS failed
                    FROM metering_records WHERE usage_hour = :hour\
                    """)
                .bind("hour", Timestamps.utc(hour))
                .map(
                    (rs, ctx) ->
                        new HourCounts(
                            rs.getInt("pending"),
                            rs.getInt("succeeded"),
                            rs.getInt("ns"),
                            rs.getInt("dup"),
                            rs.getInt("failed")))
                .one());
  }

  /**
   * The oldest hour whose usage has not all been answered by AWS: a pending record, or queued
   * usage of an hour before {@code currentHour}. Empty when everything up to now is sent.
   */
  public Optional<Instant> oldestUnsentHour(Instant currentHour) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT least(
                      (SELECT min(usage_hour) FROM metering_records WHERE status = 'PENDING'),
                      (SELECT min(usage_hour) FROM unmetered_usage WHERE usage_hour < :current))
                      AS oldest\
                    """)
                .bind("current", Timestamps.utc(currentHour))
                .map((rs, ctx) -> Optional.ofNullable(Timestamps.instant(rs, "oldest")))
                .one());
  }

  /** The organization's records from {@code since} on, newest hour first. */
  public List<MeteringRecordView> ofOrganization(UUID organizationId, Instant since) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM metering_records
                    WHERE organization_id = :organizationId AND usage_hour >= :since
                    ORDER BY usage_hour DESC, dimension, product_code, aws_account_id\
                    """)
                .bind("organizationId", organizationId)
                .bind("since", Timestamps.utc(since))
                .map((rs, ctx) -> view(rs))
                .list());
  }

  /** All records of a customer, oldest hour first (tests and support). */
  public List<MeteringRecordView> ofCustomer(CustomerKey customer) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM metering_records
                    WHERE product_code = :p AND aws_account_id = :a
                    ORDER BY usage_hour, dimension\
                    """)
                .bind("p", customer.productCode())
                .bind("a", customer.awsAccountId())
                .map((rs, ctx) -> view(rs))
                .list());
  }

  private static PendingRecord pending(ResultSet rs) throws SQLException {
    return new PendingRecord(
        rs.getLong("id"),
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        rs.getString("customer_identifier"),
        rs.getString("dimension"),
        Timestamps.instant(rs, "usage_hour"),
        rs.getLong("quantity"),
        rs.getInt("attempts"));
  }

  private static MeteringRecordView view(ResultSet rs) throws SQLException {
    return new MeteringRecordView(
        rs.getLong("id"),
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        rs.getString("customer_identifier"),
        rs.getString("dimension"),
        Timestamps.instant(rs, "usage_hour"),
        rs.getLong("quantity"),
        rs.getInt("usage_count"),
        Origin.valueOf(rs.getString("origin")),
        RecordStatus.valueOf(rs.getString("status")),
        rs.getString("aws_metering_record_id"),
        rs.getString("failure"),
        rs.getInt("attempts"),
        Timestamps.instant(rs, "created_at"),
        Timestamps.instant(rs, "completed_at"));
  }

  /**
   * A keyset position: the two ordering columns as text and the id. {@link #START} is before
   * everything.
   */
  public record Cursor(String first, String second, long id) {
    public static final Cursor START = new Cursor("", "", 0);
  }
}
