package io.mpconnect.persistence.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.PostgresExtension;
import io.mpconnect.persistence.metering.MeteringFixtures.Linked;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Aggregation claims every usage row exactly once, even racing intake and other aggregations, and
 * never changes a record once written. Each test uses its own hours so the tests share a database.
 */
class MeteringRecordRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final List<String> DIMENSIONS = List.of("api_calls", "storage_gb");
  private static final String PRODUCT = MeteringFixtures.PRODUCT;
  private static int dayOffset;

  private MeteringRecordRepository records;
  private UsageRecordRepository usage;
  private MeteringFixtures fixtures;
  private Instant hour;

  @BeforeEach
  void setUp() {
    records = new MeteringRecordRepository(postgres.jdbi());
    usage = new UsageRecordRepository(postgres.jdbi());
    fixtures = new MeteringFixtures(postgres.jdbi());
    // A fresh day per test: aggregation is global, so tests must not see each other's hours.
    hour = Instant.parse("2026-01-01T10:00:00Z").plus(Duration.ofDays(10L * ++dayOffset));
  }

  private Linked active() {
    return fixtures.link(MeteringFixtures.nextAccount(), null, "ACTIVE",
        hour.minus(Duration.ofDays(1)));
  }

  @Test
  void sumsUsagePerCustomerAndDimensionAndAddsZerosForIdleActiveCustomers() {
    Linked busy = active();
    Linked idle = active();
    Linked pending = fixtures.link(MeteringFixtures.nextAccount(), null, "PENDING", hour);
    Linked activatedLater = fixtures.link(MeteringFixtures.nextAccount(), null, "ACTIVE",
        hour.plus(Duration.ofMinutes(70)));
    usage.append(List.of(
        busy.usage("api_calls", 5, hour.plusSeconds(60), "a"),
        busy.usage("api_calls", 6, hour.plusSeconds(3000), "b"),
        busy.usage("storage_gb", 9, hour.plusSeconds(10), "c"),
        busy.usage("api_calls", 100, hour.plus(Duration.ofHours(1)), "next-hour")));

    Aggregation aggregation = records.aggregate(hour, Origin.HOURLY, PRODUCT, DIMENSIONS, null);

    assertThat(aggregation.records()).isEqualTo(2);
    assertThat(aggregation.usageClaimed()).isEqualTo(3);
    assertThat(records.ofCustomer(busy.customer()))
        .extracting(MeteringRecordView::dimension, MeteringRecordView::quantity,
            MeteringRecordView::usageCount, MeteringRecordView::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("api_calls", 11L, 2, RecordStatus.PENDING),
            org.assertj.core.groups.Tuple.tuple("storage_gb", 9L, 1, RecordStatus.PENDING));
    assertThat(records.ofCustomer(idle.customer()))
        .extracting(MeteringRecordView::dimension, MeteringRecordView::quantity)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("api_calls", 0L),
            org.assertj.core.groups.Tuple.tuple("storage_gb", 0L));
    assertThat(records.ofCustomer(pending.customer())).isEmpty();
    assertThat(records.ofCustomer(activatedLater.customer())).isEmpty();
    // The next hour's usage waits for its own hour.
    assertThat(fixtures.count("SELECT count(*) FROM unmetered_usage WHERE aws_account_id = ?",
        busy.customer().awsAccountId())).isEqualTo(1);
  }

  @Test
  void aRecordNeverChangesLateUsageGoesToTheCustomersNextHour() {
    Linked customer = active();
    usage.append(List.of(customer.usage("api_calls", 5, hour.plusSeconds(60), "a")));
    records.aggregate(hour, Origin.HOURLY, PRODUCT, DIMENSIONS, null);

    usage.append(List.of(customer.usage("api_calls", 3, hour.plusSeconds(120), "late")));
    Aggregation again = records.aggregate(hour, Origin.HOURLY, PRODUCT, DIMENSIONS, null);
    assertThat(again).isEqualTo(Aggregation.NONE);

    records.aggregate(hour.plus(Duration.ofHours(1)), Origin.HOURLY, PRODUCT, DIMENSIONS, null);
    assertThat(records.ofCustomer(customer.customer()))
        .filteredOn(r -> r.dimension().equals("api_calls"))
        .extracting(MeteringRecordView::usageHour, MeteringRecordView::quantity)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(hour, 5L),
            org.assertj.core.groups.Tuple.tuple(hour.plus(Duration.ofHours(1)), 3L));
  }

  @Test
  void aSumAboveAwsLimitIsFailedAtOnceNotSent() {
    Linked customer = active();
    usage.append(List.of(
        customer.usage("api_calls", Integer.MAX_VALUE, hour.plusSeconds(1), "a"),
        customer.usage("api_calls", 1, hour.plusSeconds(2), "b")));

    Aggregation aggregation =
        records.aggregate(hour, Origin.HOURLY, PRODUCT, List.of("api_calls"), null);

    assertThat(aggregation.oversized()).isEqualTo(1);
    assertThat(records.ofCustomer(customer.customer()))
        .extracting(MeteringRecordView::status, MeteringRecordView::failure)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(RecordStatus.FAILED,
            "QuantityOutOfRange"));
    assertThat(records.countPendingOfCustomer(customer.customer())).isZero();
  }

  @Test
  void theFinalFlushPutsEachHoursUsageInItsHourAndTheRestInTheCurrentHour() {
    Linked leaving = fixtures.link(MeteringFixtures.nextAccount(), "cust-leaving",
        "UNSUBSCRIBE_PENDING", hour);
    Instant current = hour.plus(Duration.ofHours(2));
    usage.append(List.of(
        leaving.usage("api_calls", 1, hour.minus(Duration.ofHours(9)), "too-old"),
        leaving.usage("api_calls", 2, hour.plusSeconds(5), "a"),
        leaving.usage("api_calls", 4, current.plusSeconds(5), "b")));

    records.aggregateCustomer(leaving.customer(), hour, current, DIMENSIONS);

    assertThat(records.ofCustomer(leaving.customer()))
        .extracting(MeteringRecordView::usageHour, MeteringRecordView::dimension,
            MeteringRecordView::quantity, MeteringRecordView::origin,
            MeteringRecordView::customerIdentifier)
        // Named by account only: never by the deprecated CustomerIdentifier, even when AWS
        // issued one (the customer has no license row: no LicenseArn either).
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(hour, "api_calls", 3L, Origin.FINAL_FLUSH, null),
            org.assertj.core.groups.Tuple.tuple(current, "api_calls", 4L, Origin.FINAL_FLUSH,
                null),
            org.assertj.core.groups.Tuple.tuple(current, "storage_gb", 0L, Origin.FINAL_FLUSH,
                null));
  }

  @Test
  void onlyPendingRecordsTakeAnAnswerAndTheFirstAnswerStands() {
    Linked customer = active();
    usage.append(List.of(customer.usage("api_calls", 5, hour.plusSeconds(60), "a")));
    records.aggregate(hour, Origin.HOURLY, PRODUCT, List.of("api_calls"), null);
    long id = records.pendingOfCustomer(customer.customer(), MeteringRecordRepository.Cursor.START,
        25).get(0).id();

    assertThat(records.recordOutcomes(List.of(RecordOutcome.success(id, "mr-1")), List.of()))
        .hasSize(1);
    assertThat(records.recordOutcomes(List.of(RecordOutcome.success(id, "mr-2")), List.of()))
        .isEmpty();
    assertThat(records.ofCustomer(customer.customer()).get(0).awsMeteringRecordId())
        .isEqualTo("mr-1");
  }

  @Test
  void racingIntakeAndAggregationsBillEveryUsageRowExactlyOnce() throws Exception {
    List<Linked> customers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      customers.add(active());
    }
    ExecutorService threads = Executors.newFixedThreadPool(3);
    AtomicBoolean stop = new AtomicBoolean();
    try {
      Future<Integer> writer = threads.submit(() -> {
        int written = 0;
        while (!stop.get() || written < 200) {
          Linked c = customers.get(written % customers.size());
          usage.append(List.of(c.usage("api_calls", 1 + written % 7,
              hour.plusSeconds(written % 3600), "race-" + written)));
          written++;
        }
        return written;
      });
      Future<?> hourly = threads.submit(() -> {
        for (int i = 0; i < 12; i++) {
          records.aggregate(hour.plus(Duration.ofHours(i)), Origin.HOURLY, PRODUCT,
              List.of("api_calls"), null);
        }
        return null;
      });
      Future<?> flush = threads.submit(() -> {
        for (int i = 0; i < 12; i++) {
          records.aggregateCustomer(customers.get(0).customer(), hour,
              hour.plus(Duration.ofHours(i)), List.of("api_calls"));
        }
        return null;
      });
      hourly.get(60, TimeUnit.SECONDS);
      flush.get(60, TimeUnit.SECONDS);
      stop.set(true);
      writer.get(60, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    records.aggregate(hour.plus(Duration.ofHours(12)), Origin.HOURLY, PRODUCT, List.of(), null);

    String ours = "SELECT %s FROM %s WHERE aws_account_id IN (?, ?, ?, ?)";
    Object[] accounts = customers.stream().map(c -> c.customer().awsAccountId()).toArray();
    assertThat(fixtures.count(ours.formatted("count(*)", "unmetered_usage"), accounts)).isZero();
    assertThat(fixtures.sum(ours.formatted("sum(quantity)", "metering_records"), accounts))
        .isEqualTo(fixtures.sum(ours.formatted("sum(quantity)", "usage_records"), accounts));
    assertThat(fixtures.count(
            "SELECT count(*) FROM metered_usage m JOIN usage_records u ON u.id = m.usage_record_id"
                + " WHERE u.aws_account_id IN (?, ?, ?, ?)", accounts))
        .isEqualTo(fixtures.count(ours.formatted("count(*)", "usage_records"), accounts));
  }
}
