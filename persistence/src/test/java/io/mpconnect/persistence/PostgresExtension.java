package io.mpconnect.persistence;

import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.standins.EmbeddedDatabase;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded PostgreSQL server for the whole test run (closed by JUnit at the end), and a fresh
 * migrated database for each test class. Use as a static {@code @RegisterExtension} field.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private static final AtomicInteger databases = new AtomicInteger();

  private EmbeddedDatabase server;
  private Database database;

  @Override
  public void beforeAll(ExtensionContext context) {
    server =
        context
            .getRoot()
            .getStore(ExtensionContext.Namespace.GLOBAL)
            .getOrComputeIfAbsent(
                EmbeddedDatabase.class, key -> EmbeddedDatabase.start(), EmbeddedDatabase.class);
    database = Database.connect(newDatabase(context.getRequiredTestClass().getSimpleName()), 4);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    database.close();
  }

  /** A new empty (unmigrated) database on the shared server. */
  public DatabaseSettings newDatabase(String hint) {
    String name =
        hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_")
            + "_"
            + databases.incrementAndGet();
    return new DatabaseSettings(
        server.createDatabase(name), EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD);
  }

  public Database database() {
    return database;
  }

  public Jdbi jdbi() {
    return database.jdbi();
  }
}
