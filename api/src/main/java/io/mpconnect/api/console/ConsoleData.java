package io.mpconnect.api.console;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mpconnect.api.session.Session;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.persistence.MembershipRepository;
import io.mpconnect.persistence.OrganizationDetails;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.User;
import io.mpconnect.persistence.UserOrganization;
import io.mpconnect.persistence.UserRepository;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console's pages read from PostgreSQL, through a small pool whose connections are
 * read-only in the server ({@code readOnlyMode=always}): the api changes nothing here, every change
 * goes through Temporal. The pool opens on the first read, so an api whose database is away (or
 * that never serves the console) starts and serves the sign-up journey all the same. The worker
 * owns the schema; no migrations run here.
 */
public final class ConsoleData implements AutoCloseable {
  static final int POOL_SIZE = 3;
  private static final Logger log = LoggerFactory.getLogger(ConsoleData.class);

  private final DatabaseSettings settings;
  private HikariDataSource dataSource;
  private Jdbi jdbi;
  private boolean closed;

  public ConsoleData(DatabaseSettings settings) {
    this.settings = settings;
  }

  /** Thrown when the database cannot answer; the page says "try again", never why. */
  public static final class UnavailableException extends RuntimeException {
    UnavailableException(Throwable cause) {
      super("the console's database is unavailable", cause);
    }
  }

  /** The user a session's sign-in leads to; empty when that identity never reached us. */
  public Optional<User> user(Session.SignedIn signedIn) {
    return read(jdbi -> new UserRepository(jdbi).findByIdentity(signedIn.issuer(), signedIn.subject()));
  }

  public Optional<Role> role(UUID organizationId, UUID userId) {
    return read(jdbi -> new MembershipRepository(jdbi).roleOf(organizationId, userId));
  }

  public Optional<OrganizationDetails> details(UUID organizationId) {
    return read(jdbi -> new OrganizationRepository(jdbi).findDetails(organizationId));
  }

  public List<UserOrganization> organizationsOf(UUID userId) {
    return read(jdbi -> new MembershipRepository(jdbi).organizationsOf(userId));
  }

  private <T> T read(java.util.function.Function<Jdbi, T> query) {
    try {
      return query.apply(jdbi());
    } catch (JdbiException | IllegalStateException e) {
      log.warn("console read failed: {}", e.getClass().getSimpleName());
      throw new UnavailableException(e);
    }
  }

  private synchronized Jdbi jdbi() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (jdbi == null) {
      HikariConfig config = new HikariConfig();
      config.setPoolName("mpconnect-console");
      config.setJdbcUrl(settings.jdbcUrl());
      config.setUsername(settings.user());
      config.setPassword(settings.password());
      config.setMaximumPoolSize(POOL_SIZE);
      config.setMinimumIdle(0);
      config.setReadOnly(true);
      // pgjdbc enforces read-only in autocommit mode too only with "always".
      config.addDataSourceProperty("readOnlyMode", "always");
      // A page waits a few seconds at most, then says "try again".
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
