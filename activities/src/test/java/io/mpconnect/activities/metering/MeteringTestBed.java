package io.mpconnect.activities.metering;

import io.mpconnect.activities.aws.MeteringClients;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.MeteringSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.persistence.metering.MeteringRecordRepository;
import io.mpconnect.persistence.metering.NewUsage;
import io.mpconnect.persistence.metering.UsageRecordRepository;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.metering.MeteringStandIn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import io.mpconnect.workflows.metering.BatchCursor;
import io.mpconnect.workflows.metering.BatchPage;
import io.mpconnect.workflows.metering.BatchResult;
import io.mpconnect.workflows.metering.SendBatch;
import io.mpconnect.workflows.metering.SendProgress;
import io.mpconnect.workflows.metering.SendScope;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;

/**
 * The real AWS SDK client over HTTP against the metering stand-in, and a fresh migrated PostgreSQL
 * database per test (metering aggregates across all customers, so tests must not share one).
 */
final class MeteringTestBed
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  static final String PRODUCT = "prod-metering";
  static final List<String> DIMENSIONS = List.of("api_calls", "storage_gb");
  private static final AtomicInteger databases = new AtomicInteger();
  private static final AtomicLong accounts = new AtomicLong(300_000_000_000L);

  MeteringStandIn standIn;
  MarketplaceMeteringClient client;
  Database database;
  final List<String> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();
  final MeteringMetrics metrics =
      new MeteringMetrics() {
        @Override
        public void call(String outcome, int records) {}

        @Override
        public void records(String status, int count) {}

        @Override
        public void unprocessed(int count) {}

        @Override
        public void alert(String reason, int count) {
          alerts.add(reason + "=" + count);
        }
      };
  private EmbeddedDatabase server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server =
        context
            .getRoot()
            .getStore(ExtensionContext.Namespace.GLOBAL)
            .getOrComputeIfAbsent(
                EmbeddedDatabase.class, key -> EmbeddedDatabase.start(), EmbeddedDatabase.class);
    standIn = new MeteringStandIn(PRODUCT).start(0);
    client = MeteringClients.create(new Env(Map.of(
        MeteringClients.ENDPOINT_VARIABLE, standIn.endpoint().toString(),
        "AWS_REGION", "us-east-1",
        "AWS_ACCESS_KEY_ID", "test",
        "AWS_SECRET_ACCESS_KEY", "test")));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    client.close();
    standIn.close();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    standIn.reset();
    standIn.setAllowedDimensions(null);
    standIn.setTimestampWindow(MeteringStandIn.DEFAULT_TIMESTAMP_WINDOW);
    alerts.clear();
    String name = "metering_" + databases.incrementAndGet();
    database = Database.connect(new DatabaseSettings(
        server.createDatabase(name), EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD), 4);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    database.close();
  }

  Jdbi jdbi() {
    return database.jdbi();
  }

  /** The last complete hour by the real clock (the stand-in checks timestamps against it). */
  static Instant lastHour() {
    return Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
  }

  static MeteringSettings settings() {
    return new MeteringSettings(DIMENSIONS, Duration.ofHours(6), 50, Duration.ofMinutes(5));
  }

  MeteringLedgerActivitiesImpl ledger(List<String> dimensions) {
    return ledger(dimensions, Clock.systemUTC());
  }

  MeteringLedgerActivitiesImpl ledger(List<String> dimensions, Clock clock) {
    MeteringSettings s = settings();
    return new MeteringLedgerActivitiesImpl(jdbi(), PRODUCT,
        new MeteringSettings(dimensions, s.window(), s.maxCallsPerSecond(), s.hourGrace()),
        metrics, clock);
  }

  BatchMeterUsageSender sender(MarketplaceMeteringClient meteringClient) {
    return new BatchMeterUsageSender(meteringClient, records(), new CallPacer(50), metrics,
        Duration.ofMinutes(1), Duration.ofMillis(10));
  }

  BatchMeterUsageSender sender() {
    return sender(client);
  }

  /**
   * Sends the scope's pending records the way the workflows do since send-batches ({@code
   * BatchSending}): planned pages of calls, one {@code sendBatch} per call, a retryable failure
   * retried up to the activity's 6 attempts (without Temporal's delays), a refused call's halves
   * sent in its place. A failure no retry cures is thrown, as the activity would fail.
   *
   * @return the counts of every call, {@code pending} what is left
   */
  SendProgress sendInBatches(BatchMeterUsageSender sender, SendScope scope) {
    MeteringLedgerActivitiesImpl ledger = ledger(DIMENSIONS);
    SendProgress total = SendProgress.NONE;
    BatchCursor after = BatchCursor.START;
    do {
      BatchPage page = ledger.planBatches(scope, after, null, 200);
      Deque<SendBatch> waiting = new ArrayDeque<>(page.batches());
      while (!waiting.isEmpty()) {
        SendBatch batch = waiting.poll();
        for (int attempt = 1; ; attempt++) {
          try {
            BatchResult result = sender.sendBatch(batch, attempt);
            total = total.plus(result.progress());
            result.halves().forEach(waiting::addFirst);
            break;
          } catch (ApplicationFailure failure) {
            if (failure.isNonRetryable() || attempt == 6) {
              throw failure;
            }
            total = total.plus(new SendProgress(1, 1, 0, 0, 0, 0, 0, 0, false));
          }
        }
      }
      after = page.next();
    } while (after != null);
    return total.plus(new SendProgress(0, 0, 0, 0, 0, 0, 0, ledger.countPending(scope), false));
  }

  SendProgress sendInBatches(SendScope scope) {
    return sendInBatches(sender(), scope);
  }

  MeteringRecordRepository records() {
    return new MeteringRecordRepository(jdbi());
  }

  /** An organization linked to a new AWS customer, active since a day before {@code hour}. */
  Customer customer(boolean withIdentifier, Instant hour) {
    return customer(withIdentifier, "ACTIVE", hour.minus(Duration.ofDays(1)));
  }

  Customer customer(boolean withIdentifier, String status, Instant since) {
    String account = Long.toString(accounts.incrementAndGet());
    String identifier = withIdentifier ? MeteringStandIn.demoCustomerIdentifier(account) : null;
    UUID organizationId = UUID.randomUUID();
    jdbi().useTransaction(h -> {
      h.execute("INSERT INTO organizations (id, name, plan, billing_provider)"
          + " VALUES (?, ?, 'STANDARD', 'AWS_MARKETPLACE')", organizationId, "Org " + account);
      h.execute("INSERT INTO marketplace_customers (product_code, aws_account_id,"
          + " customer_identifier) VALUES (?, ?, ?)", PRODUCT, account, identifier);
      h.execute("INSERT INTO marketplace_links (product_code, aws_account_id, organization_id,"
          + " subscription_status, status_changed_at) VALUES (?, ?, ?, ?, ?)",
          PRODUCT, account, organizationId, status, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
    });
    return new Customer(organizationId, new CustomerKey(PRODUCT, account), identifier, null);
  }

  /**
   * A customer on AWS's current model: linked, ACTIVE, with one license USABLE since a day before
   * {@code hour} and a LicenseArn of the stand-in's shape.
   */
  Customer licensedCustomer(Instant hour) {
    return licensedCustomers(1, hour).get(0);
  }

  /** {@code count} customers as {@link #licensedCustomer}, written in one statement each table. */
  List<Customer> licensedCustomers(int count, Instant hour) {
    List<Customer> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String account = Long.toString(accounts.incrementAndGet());
      all.add(new Customer(UUID.randomUUID(), new CustomerKey(PRODUCT, account), null,
          MeteringStandIn.licenseArn(account)));
    }
    OffsetDateTime since = OffsetDateTime.ofInstant(hour.minus(Duration.ofDays(1)), ZoneOffset.UTC);
    jdbi().useTransaction(h -> {
      var orgs = h.prepareBatch("INSERT INTO organizations (id, name, plan, billing_provider)"
          + " VALUES (?, ?, 'STANDARD', 'AWS_MARKETPLACE')");
      var customers = h.prepareBatch("INSERT INTO marketplace_customers (product_code,"
          + " aws_account_id) VALUES (?, ?)");
      var links = h.prepareBatch("INSERT INTO marketplace_links (product_code, aws_account_id,"
          + " organization_id, subscription_status, status_changed_at)"
          + " VALUES (?, ?, ?, 'ACTIVE', ?)");
      var licenses = h.prepareBatch("INSERT INTO marketplace_licenses (product_code,"
          + " aws_account_id, license_key, license_arn, status, usable_from, organization_id,"
          + " sequence) VALUES (?, ?, ?, ?, 'USABLE', ?, ?, 1)");
      for (Customer c : all) {
        orgs.add(c.organizationId(), "Org " + c.account());
        customers.add(PRODUCT, c.account());
        links.add(PRODUCT, c.account(), c.organizationId(), since);
        licenses.add(PRODUCT, c.account(), "agr-" + c.account(), c.licenseArn(), since,
            c.organizationId());
      }
      orgs.execute();
      customers.execute();
      links.execute();
      licenses.execute();
    });
    return all;
  }

  List<Customer> customers(int count, Instant hour) {
    List<Customer> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(customer(i % 2 == 0, hour));
    }
    return all;
  }

  void usage(Customer customer, String dimension, long quantity, Instant at, String key) {
    new UsageRecordRepository(jdbi()).append(List.of(
        new NewUsage(customer.organizationId(), customer.key(), dimension, quantity, at, key)));
  }

  int count(String sql, Object... args) {
    return jdbi().withHandle(h -> h.select(sql, args).mapTo(Integer.class).one());
  }

  /**
   * @param licenseArn the LicenseArn of its one usable license, or null (no license row)
   */
  record Customer(
      UUID organizationId, CustomerKey key, String customerIdentifier, String licenseArn) {
    String account() {
      return key.awsAccountId();
    }
  }
}
