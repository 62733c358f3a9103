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
import org.jdbi.v3.core.statement.Query;

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

  /**
   * A license of alias {@code ml} that was usable at some moment of the hour [:hour, :hourEnd):
   * usable from before the hour's end, not revoked before its start (an ENDED license always has
   * its revocation time), never FAILED or still PENDING.
   */
  static final String USABLE_IN_HOUR =
      """
      ml.status IN ('USABLE', 'ENDING', 'ENDED')
        AND ml.usable_from IS NOT NULL AND ml.usable_from < :hourEnd
        AND (ml.revoked_at IS NULL OR ml.revoked_at > :hour)
        AND (ml.status <> 'ENDED' OR ml.revoked_at IS NOT NULL)\
      """;

  /**
   * The one license each customer's usage of the hour goes to (docs/metering.md, "Record
   * identity"): among its licenses usable during the hour, one usable at the hour's start first,
   * then the earliest usable_from, then the smallest license_key. Deterministic, and stored on
   * the record when it is created, so a resend never changes it.
   */
  static final String LICENSED =
      """
      licensed AS (
        SELECT DISTINCT ON (ml.product_code, ml.aws_account_id)
               ml.product_code, ml.aws_account_id, ml.license_arn, ml.license_key
        FROM marketplace_licenses ml
        WHERE %s
        ORDER BY ml.product_code, ml.aws_account_id, (ml.usable_from <= :hour) DESC,
                 ml.usable_from, ml.license_key
      )\
      """.formatted(USABLE_IN_HOUR);

  /**
   * The customer of alias {@code x} may be metered for the hour: it has a license usable during
   * it, or no license row at all (a customer the licenses code has not seen yet: metered the
   * legacy way, by account and product code, under the link's rules).
   */
  private static final String METERABLE =
      """
      (EXISTS (SELECT 1 FROM marketplace_licenses ml
               WHERE ml.product_code = %1$s.product_code AND ml.aws_account_id = %1$s.aws_account_id
                 AND %2$s)
       OR NOT EXISTS (SELECT 1 FROM marketplace_licenses n
                      WHERE n.product_code = %1$s.product_code
                        AND n.aws_account_id = %1$s.aws_account_id))\
      """;

  private static final String CLAIM =
      """
      WITH %s, taken AS (
        DELETE FROM unmetered_usage q
        WHERE q.usage_hour <= :hour
          %%s
          AND NOT EXISTS (
            SELECT 1 FROM metering_records r
            WHERE r.product_code = q.product_code AND r.aws_account_id = q.aws_account_id
              AND r.dimension = q.dimension AND r.usage_hour = :hour)
          AND %s
        RETURNING q.*
      ), sums AS (
        SELECT product_code, aws_account_id, dimension,
               sum(quantity) AS quantity, count(*) AS usage_count,
               (array_agg(organization_id ORDER BY usage_record_id DESC))[1] AS organization_id
        FROM taken GROUP BY product_code, aws_account_id, dimension
      ), created AS (
        INSERT INTO metering_records
          (product_code, aws_account_id, license_arn, license_key, organization_id, dimension,
           usage_hour, quantity, usage_count, origin, status, failure, completed_at)
        SELECT s.product_code, s.aws_account_id, x.license_arn, x.license_key, s.organization_id,
               s.dimension, :hour, s.quantity, s.usage_count, :origin,
               CASE WHEN s.quantity > :maxQuantity THEN 'FAILED' ELSE 'PENDING' END,
               CASE WHEN s.quantity > :maxQuantity THEN 'QuantityOutOfRange' END,
               CASE WHEN s.quantity > :maxQuantity THEN now() END
        FROM sums s
        LEFT JOIN licensed x
          ON x.product_code = s.product_code AND x.aws_account_id = s.aws_account_id
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
      """.formatted(LICENSED, METERABLE.formatted("q", USABLE_IN_HOUR));

  /**
   * Zero records: every configured dimension of every customer billed through AWS in the hour
   * with no record for it yet. A customer with licenses needs one usable during the hour (and a
   * linked organization); one without license rows is metered under the link's rules.
   */
  private static final String ZEROS =
      """
      WITH %s
      INSERT INTO metering_records
        (product_code, aws_account_id, license_arn, license_key, organization_id, dimension,
         usage_hour, quantity, usage_count, origin)
      SELECT l.product_code, l.aws_account_id, x.license_arn, x.license_key, l.organization_id,
             d.dimension, :hour, 0, 0, :origin
      FROM marketplace_links l
      LEFT JOIN licensed x
        ON x.product_code = l.product_code AND x.aws_account_id = l.aws_account_id
      CROSS JOIN unnest(CAST(:dimensions AS text[])) AS d(dimension)
      WHERE l.product_code = :productCode
        %%s
        AND (l.subscription_status = 'UNSUBSCRIBE_PENDING'
             OR (l.subscription_status = 'ACTIVE'
                 AND (x.aws_account_id IS NOT NULL OR l.status_changed_at < :hourEnd)))
        AND %s
        AND NOT EXISTS (
          SELECT 1 FROM metering_records r
          WHERE r.product_code = l.product_code AND r.aws_account_id = l.aws_account_id
            AND r.dimension = d.dimension AND r.usage_hour = :hour)
      ON CONFLICT DO NOTHING\
      """.formatted(LICENSED, METERABLE.formatted("l", USABLE_IN_HOUR));

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
            .bind("hourEnd", Timestamps.utc(hour.plus(Duration.ofHours(1))))
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
    if (onlyCustomer == null && counts[0] > 0) {
      // The claim just wrote the hour's records in this transaction; without fresh statistics
      // the planner takes metering_records for nearly empty and checks the zero records' "no
      // record yet" against it row by row (an hour of 20,000 records: 15 s instead of < 1 s).
      // Through the owner's function (V11__roles.sql): the worker's role may not ANALYZE.
      h.createQuery("SELECT refresh_metering_statistics()").mapToMap().one();
    }
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

  /**
   * Pending records of the scope (an hour, or a customer when {@code hour} is null) after the
   * cursor and up to {@code until} included (null: no bound), in (product, dimension, id) order:
   * what sending calls are planned from.
   */
  public List<PendingKey> pendingKeys(
      Instant hour, CustomerKey customer, Cursor after, Cursor until, int limit) {
    return jdbi.withHandle(
        h ->
            bounded(scoped(h.createQuery(
                    """
                    SELECT id, product_code, dimension FROM metering_records r
                    WHERE status = 'PENDING' AND <scope>
                      AND (product_code, dimension, id) > (:a, :b, :id)
                      AND <until>
                    ORDER BY product_code, dimension, id
                    LIMIT :limit\
                    """), hour, customer), until)
                .bind("a", after.first())
                .bind("b", after.second())
                .bind("id", after.id())
                .bind("limit", limit)
                .map((rs, ctx) -> new PendingKey(
                    rs.getLong("id"), rs.getString("product_code"), rs.getString("dimension")))
                .list());
  }

  /**
   * The pending records of one planned call: the scope's records of the product and dimension
   * with ids in {@code fromId..toId}, at most {@code limit}.
   */
  public List<PendingRecord> pendingInRange(
      Instant hour, CustomerKey customer, String productCode, String dimension, long fromId,
      long toId, int limit) {
    return jdbi.withHandle(
        h ->
            scoped(h.createQuery(
                    """
                    SELECT * FROM metering_records r
                    WHERE status = 'PENDING' AND <scope>
                      AND product_code = :product AND dimension = :dimension
                      AND id BETWEEN :from AND :to
                    ORDER BY id
                    LIMIT :limit\
                    """), hour, customer)
                .bind("product", productCode)
                .bind("dimension", dimension)
                .bind("from", fromId)
                .bind("to", toId)
                .bind("limit", limit)
                .map((rs, ctx) -> pending(rs))
                .list());
  }

  /** The scope's pending records (an hour's, or a customer's when {@code hour} is null). */
  public int countPending(Instant hour, CustomerKey customer) {
    return hour != null ? countPendingOfHour(hour) : countPendingOfCustomer(customer);
  }

  /**
   * Fails the scope's pending records whose license was revoked before now (License
   * Deprovisioned, unsubscribe-success): AWS accepts no more usage for such a license, so they are
   * never sent.
   *
   * @return the records failed now, for the alert
   */
  public List<PendingRecord> failRevoked(Instant hour, CustomerKey customer) {
    return jdbi.withHandle(
        h ->
            scoped(h.createQuery(
                    """
                    UPDATE metering_records r
                    SET status = 'FAILED', failure = 'LicenseRevoked', completed_at = now()
                    FROM marketplace_licenses ml
                    WHERE r.status = 'PENDING' AND <scope>
                      AND ml.product_code = r.product_code AND ml.aws_account_id = r.aws_account_id
                      AND ml.license_key = r.license_key
                      AND ml.revoked_at IS NOT NULL AND ml.revoked_at <= now()
                    RETURNING r.*\
                    """), hour, customer)
                .map((rs, ctx) -> pending(rs))
                .list());
  }

  /** Binds the upper bound {@code <until>} of a page of keys, included; none when null. */
  private static Query bounded(Query query, Cursor until) {
    if (until == null) {
      return query.define("until", "TRUE");
    }
    return query
        .define("until", "(product_code, dimension, id) <= (:ua, :ub, :uid)")
        .bind("ua", until.first())
        .bind("ub", until.second())
        .bind("uid", until.id());
  }

  /** Binds the scope condition {@code <scope>}: an hour, or a customer of any hour. */
  private static Query scoped(Query query, Instant hour, CustomerKey customer) {
    if (hour != null) {
      return query
          .define("scope", "r.usage_hour = :hour")
          .bind("hour", Timestamps.utc(hour));
    }
    return query
        .define("scope", "r.product_code = :scopeProduct AND r.aws_account_id = :scopeAccount")
        .bind("scopeProduct", customer.productCode())
        .bind("scopeAccount", customer.awsAccountId());
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

  /**
   * Reconciliation: of these records, the ones AWS answered CustomerNotSubscribed although the
   * product holds their license usable for the record's hour (or, for a customer without license
   * rows, its link active then) are stored in metering_mismatches, once each.
   *
   * @return the mismatches found now (none for a record already stored as one)
   */
  public List<MeteringMismatch> recordMismatches(List<Long> notSubscribedIds) {
    if (notSubscribedIds.isEmpty()) {
      return List.of();
    }
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    INSERT INTO metering_mismatches
                      (metering_record_id, product_code, aws_account_id, license_arn, license_key,
                       organization_id, dimension, usage_hour, quantity, aws_answer,
                       license_status, reason)
                    SELECT r.id, r.product_code, r.aws_account_id, r.license_arn, r.license_key,
                           r.organization_id, r.dimension, r.usage_hour, r.quantity,
                           'CustomerNotSubscribed', ml.status,
                           CASE WHEN ml.license_key IS NOT NULL THEN 'LicenseUsable'
                                ELSE 'LinkActive' END
                    FROM metering_records r
                    LEFT JOIN marketplace_licenses ml
                      ON ml.product_code = r.product_code AND ml.aws_account_id = r.aws_account_id
                     AND ml.license_key = r.license_key
                    LEFT JOIN marketplace_links l
                      ON l.product_code = r.product_code AND l.aws_account_id = r.aws_account_id
                    WHERE r.id = ANY(:ids) AND r.status = 'CUSTOMER_NOT_SUBSCRIBED'
                      AND CASE
                        WHEN r.license_key IS NOT NULL THEN
                          ml.license_key IS NOT NULL
                          AND ml.status IN ('USABLE', 'ENDING', 'ENDED')
                          AND ml.usable_from IS NOT NULL
                          AND ml.usable_from < r.usage_hour + interval '1 hour'
                          AND (ml.revoked_at IS NULL OR ml.revoked_at > r.usage_hour)
                          AND (ml.status <> 'ENDED' OR ml.revoked_at IS NOT NULL)
                        ELSE
                          NOT EXISTS (SELECT 1 FROM marketplace_licenses n
                                      WHERE n.product_code = r.product_code
                                        AND n.aws_account_id = r.aws_account_id)
                          AND l.subscription_status = 'ACTIVE'
                          AND l.status_changed_at < r.usage_hour + interval '1 hour'
                        END
                    ON CONFLICT (metering_record_id) DO NOTHING
                    RETURNING *\
                    """)
                .bindArray("ids", Long.class, notSubscribedIds)
                .map((rs, ctx) -> mismatch(rs))
                .list());
  }

  /** The organization's mismatches from {@code since} on, newest hour first. */
  public List<MeteringMismatch> mismatchesOfOrganization(UUID organizationId, Instant since) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM metering_mismatches
                    WHERE organization_id = :organizationId AND usage_hour >= :since
                    ORDER BY usage_hour DESC, coalesce(license_arn, ''), dimension\
                    """)
                .bind("organizationId", organizationId)
                .bind("since", Timestamps.utc(since))
                .map((rs, ctx) -> mismatch(rs))
                .list());
  }

  private static MeteringMismatch mismatch(ResultSet rs) throws SQLException {
    return new MeteringMismatch(
        rs.getLong("metering_record_id"),
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        rs.getString("license_arn"),
        rs.getString("license_key"),
        rs.getObject("organization_id", UUID.class),
        rs.getString("dimension"),
        Timestamps.instant(rs, "usage_hour"),
        rs.getLong("quantity"),
        rs.getString("aws_answer"),
        rs.getString("license_status"),
        rs.getString("reason"),
        Timestamps.instant(rs, "detected_at"));
  }

  /** The organization's records from {@code since} on, newest hour first. */
  public List<MeteringRecordView> ofOrganization(UUID organizationId, Instant since) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT r.*, m.reason AS mismatch FROM metering_records r
                    LEFT JOIN metering_mismatches m ON m.metering_record_id = r.id
                    WHERE r.organization_id = :organizationId AND r.usage_hour >= :since
                    ORDER BY r.usage_hour DESC, coalesce(r.license_arn, ''), r.dimension,
                             r.product_code, r.aws_account_id\
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
                    SELECT r.*, m.reason AS mismatch FROM metering_records r
                    LEFT JOIN metering_mismatches m ON m.metering_record_id = r.id
                    WHERE r.product_code = :p AND r.aws_account_id = :a
                    ORDER BY r.usage_hour, r.dimension, coalesce(r.license_arn, '')\
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
        rs.getString("license_arn"),
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
        rs.getString("license_arn"),
        rs.getString("license_key"),
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
        Timestamps.instant(rs, "completed_at"),
        rs.getString("mismatch"));
  }

  /**
   * A keyset position: the two ordering columns as text and the id. {@link #START} is before
   * everything.
   */
  public record Cursor(String first, String second, long id) {
    public static final Cursor START = new Cursor("", "", 0);
  }
}
