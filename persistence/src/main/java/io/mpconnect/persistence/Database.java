package io.mpconnect.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mpconnect.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, the schema and the Jdbi instance of one process. {@link #connect} brings the
 * schema up to date before anyone can use it, so every process may start first.
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
      int applied = migrate(dataSource);
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

  /** Applies pending migrations and returns how many ran (0 when the schema is current). */
  public static int migrate(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .connectRetries(5)
        .load()
        .migrate()
        .migrationsExecuted;
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
