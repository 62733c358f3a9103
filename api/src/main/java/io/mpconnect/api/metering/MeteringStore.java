package io.mpconnect.api.metering;

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
 * The api's PostgreSQL pool for usage intake (the one write the architecture lets the api make
 * directly, for volume) and the metering support view. Opens on first use, so the api starts and
 * serves everything else while the database is away; the worker owns the schema.
 */
final class MeteringStore implements AutoCloseable {
  static final int POOL_SIZE = 5;
  private static final Logger log = LoggerFactory.getLogger(MeteringStore.class);

  private final DatabaseSettings settings;
  private HikariDataSource dataSource;
  private Jdbi jdbi;
  private boolean closed;

  MeteringStore(DatabaseSettings settings) {
    this.settings = settings;
  }

  /** The database could not answer: the caller says 503, try again. */
  static final class UnavailableException extends RuntimeException {
    UnavailableException(Throwable cause) {
      super("the metering database is unavailable", cause);
    }
  }

  <T> T use(Function<Jdbi, T> work) {
    try {
      return work.apply(jdbi());
    } catch (JdbiException | IllegalStateException e) {
      log.warn("metering database call failed: {}", e.getClass().getSimpleName());
      throw new UnavailableException(e);
    }
  }

  private synchronized Jdbi jdbi() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (jdbi == null) {
      HikariConfig config = new HikariConfig();
      config.setPoolName("mpconnect-usage");
      config.setJdbcUrl(settings.jdbcUrl());
      config.setUsername(settings.user());
      config.setPassword(settings.password());
      config.setMaximumPoolSize(POOL_SIZE);
      config.setMinimumIdle(0);
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
