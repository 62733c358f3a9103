package io.mpconnect.activities.accounts;

import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.standins.EmbeddedDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded PostgreSQL server for the whole test run (JUnit closes it at the end) and a fresh
 * migrated database per test class. Use as a static {@code @RegisterExtension} field.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
  private static final AtomicInteger databases = new AtomicInteger();

  private Database database;

  @Override
  public void beforeAll(ExtensionContext context) {
    EmbeddedDatabase server =
        context
            .getRoot()
            .getStore(ExtensionContext.Namespace.GLOBAL)
            .getOrComputeIfAbsent(
                EmbeddedDatabase.class, key -> EmbeddedDatabase.start(), EmbeddedDatabase.class);
    String name =
        context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
            + "_"
            + databases.incrementAndGet();
    database =
        Database.connect(
            new DatabaseSettings(
                server.createDatabase(name), EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD),
            6);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    database.close();
  }

  public Jdbi jdbi() {
    return database.jdbi();
  }

  public int count(String sql, Object... args) {
    return jdbi().withHandle(h -> h.select(sql, args).mapTo(Integer.class).one());
  }

  /** Returns once {@code waiters} sessions of this database are blocked on a lock. */
  public void awaitLockWaiters(int waiters) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (count(
            "SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event_type = 'Lock'")
        < waiters) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(waiters + " sessions did not start waiting for a lock in 10 s");
      }
      Thread.sleep(20);
    }
  }
}
