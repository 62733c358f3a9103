package io.mpconnect.api.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mpconnect.config.DatabaseSettings;
import java.time.Duration;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small PostgreSQL pool of the api's, opened on first use: an api whose database is away starts
 * and serves the sign-up journey all the same, and a call that cannot reach the database fails
 * fast with {@link UnavailableException} (the caller answers 503, "try again"). The worker owns
 * the schema; no migrations run here.
 */
public final class LazyPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LazyPool.class);

  private final DatabaseSettings settings;
  private final String name;
  private final int size;
  private final boolean readOnly;
  private HikariDataSource dataSource;
  private Jdbi jdbi;
  private boolean closed;

  /** @param readOnly connections read-only in the server too ({@code readOnlyMode=always}) */
  public LazyPool(DatabaseSettings settings, String name, int size, boolean readOnly) {
    this.settings = settings;
    this.name = name;
    this.size = size;
    this.readOnly = readOnly;
  }

  /** The database could not answer. */
  public static final class UnavailableException extends RuntimeException {
    UnavailableException(String pool, Throwable cause) {
      super("the database of pool " + pool + " is unavailable", cause);
    }
  }

  public <T> T use(Function<Jdbi, T> work) {
    try {
      return work.apply(jdbi());
    } catch (JdbiException | IllegalStateException e) {
      java.sql.SQLException denied = permissionDenied(e);
      if (denied != null) {
        // Not an outage: a grant is missing (a migration without its GRANT to the api's role).
        log.error("{} database call refused to role {}: {} (grants: docs/security.md)", name,
            settings.user(), io.mpconnect.config.StartupFailures.firstLine(denied.getMessage()));
      } else {
        log.warn("{} database call failed: {}", name, e.getClass().getSimpleName());
      }
      throw new UnavailableException(name, e);
    }
  }

  /** PostgreSQL's insufficient_privilege (42501) in the cause chain, else null. */
  private static java.sql.SQLException permissionDenied(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.sql.SQLException sql && "42501".equals(sql.getSQLState())) {
        return sql;
      }
    }
    return null;
  }

  private synchronized Jdbi jdbi() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (jdbi == null) {
      HikariConfig config = new HikariConfig();
      config.setPoolName("mpconnect-" + name);
      config.setJdbcUrl(settings.jdbcUrl());
      config.setUsername(settings.user());
      config.setPassword(settings.password());
      config.setMaximumPoolSize(size);
      config.setMinimumIdle(0);
      if (readOnly) {
        config.setReadOnly(true);
        // pgjdbc enforces read-only in autocommit mode too only with "always".
        config.addDataSourceProperty("readOnlyMode", "always");
      }
      // A request waits a few seconds at most, then says "try again".
      config.setConnectionTimeout(Duration.ofSeconds(3).toMillis());
      config.setInitializationFailTimeout(-1);
      dataSource = new HikariDataSource(config);
      jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }
    return jdbi;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (dataSource != null) {
      dataSource.close();
    }
  }
}
