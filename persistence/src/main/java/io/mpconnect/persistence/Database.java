package io.mpconnect.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mpconnect.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, the schema and the Jdbi instance of one process. {@link #connect} brings the
 * schema up to date before anyone can use it, so every process may start first: as the migration
 * role (the owner) when one is set, then the pool connects as the process's own role.
 */
public final class Database implements AutoCloseable {
  public static final int DEFAULT_POOL_SIZE = 10;

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
  }

  public static Database connect(DatabaseSettings settings) {
    return connect(settings, DEFAULT_POOL_SIZE);
  }

  public static Database connect(DatabaseSettings settings, int maxPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("mpconnect");
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(maxPoolSize);
    // Fail a call (Temporal retries it) rather than hang when the database is away.
    config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
    // Let Flyway's connect retries ride out a database that starts after us (docker-compose).
    config.setInitializationFailTimeout(-1);
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      DatabaseSettings.Migration migration = settings.migration();
      // The migration role's connections serve Flyway only, never the process's work.
      int applied = settings.migratesAsAnotherRole()
          ? migrate(flyway(migration).dataSource(
              settings.jdbcUrl(), migration.user(), migration.password()))
          : migrate(flyway(migration).dataSource(dataSource));
      // Without the query string: a password may be passed there.
      log.info(
          "database ready at {} ({} migrations applied)",
          settings.jdbcUrl().replaceFirst("\\?.*", ""),
          applied);
      return new Database(dataSource);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  /**
   * Applies pending migrations as the role of {@code dataSource} (which owns what they create),
   * granting to the default roles; returns how many ran (0 when the schema is current).
   */
  public static int migrate(DataSource dataSource) {
    return migrate(dataSource, DatabaseSettings.Migration.as(null, null));
  }

  /**
   * Applies pending migrations, with the placeholders {@code apiRole} and {@code workerRole} (the
   * roles V11__roles.sql and later migrations grant to) from {@code migration}.
   */
  public static int migrate(DataSource dataSource, DatabaseSettings.Migration migration) {
    return migrate(flyway(migration).dataSource(dataSource));
  }

  private static FluentConfiguration flyway(DatabaseSettings.Migration migration) {
    return Flyway.configure()
        .locations("classpath:db/migration")
        .placeholders(Map.of(
            "apiRole", migration.apiRole(),
            "workerRole", migration.workerRole()))
        .connectRetries(5);
  }

  private static int migrate(FluentConfiguration configuration) {
    return configuration.load().migrate().migrationsExecuted;
  }

  /** For readiness checks: true when a connection answers within a few seconds. */
  public boolean isReachable() {
    try (Connection connection = dataSource.getConnection()) {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
