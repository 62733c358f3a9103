package io.mpconnect.standins;

import io.mpconnect.standins.temporal.LoopbackPorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.time.Duration;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server started from a Maven artifact (no installation, works as root), for
 * the developer mode and tests. Each instance owns one server; {@link #createDatabase} gives a
 * test its own empty database on it.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";
  /** The one address the server listens on. */
  public static final String LOOPBACK = "127.0.0.1";
  /** Starts on a chosen port before giving up when each one is taken meanwhile. */
  static final int START_ATTEMPTS = 5;

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** A throw-away server on a free port with a fresh data directory. */
  public static EmbeddedDatabase start() {
    return start(0, null);
  }

  /**
   * A server on {@code port} (0 for any free one). With a {@code dataDirectory} its data survives
   * restarts, as the developer mode wants.
   *
   * <p>PostgreSQL is told its port ahead, so a port can be taken between choosing and binding it.
   * With 0 the port is chosen here ({@link LoopbackPorts#pick}, outside the kernel's ephemeral
   * range) and a start that fails because someone took it is retried on another, up to {@value
   * #START_ATTEMPTS} times. A given port that is taken fails at once, once it stayed taken for a
   * few seconds (a restart on the same port may follow the previous server's exit closely), with
   * {@code cannot listen on localhost:<port>: address already in use}; it never waits on whoever
   * holds the port.
   */
  public static EmbeddedDatabase start(int port, Path dataDirectory) {
    return start(port, dataDirectory, true);
  }

  /**
   * As {@link #start(int, Path)}; {@code stopWithTheJvm} false leaves the stop to the owner's
   * {@link #close()} (the developer mode stops everything in order from its own shutdown hook:
   * a hook of the database's own would stop it while the worker still uses it).
   */
  public static EmbeddedDatabase start(int port, Path dataDirectory, boolean stopWithTheJvm) {
    if (port > 0) {
      awaitFree(port, Duration.ofSeconds(5));
      return startOn(port, dataDirectory, stopWithTheJvm);
    }
    for (int attempt = 1; ; attempt++) {
      int chosen = LoopbackPorts.pick();
      try {
        return startOn(chosen, dataDirectory, stopWithTheJvm);
      } catch (RuntimeException e) {
        // Taken meanwhile (the server could not bind it): another port. Anything else: fail.
        if (attempt >= START_ATTEMPTS || LoopbackPorts.isFree(chosen)) {
          throw e;
        }
      }
    }
  }

  /** Starts with a port that was just seen free. */
  private static EmbeddedDatabase startOn(int port, Path dataDirectory, boolean stopWithTheJvm) {
    try {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(port)
          .setRegisterShutdownHook(stopWithTheJvm)
          // Loopback only: it trusts every login (initdb -A trust), so no other host may reach it.
          .setServerConfig("listen_addresses", LOOPBACK)
          // The readiness check connects to the port; should something else hold it, a login
          // that never completes must fail the start, not hang it.
          .setConnectConfig("loginTimeout", "5");
      if (dataDirectory != null) {
        builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
      }
      return new EmbeddedDatabase(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL on port " + port, e);
    }
  }

  private static void awaitFree(int port, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!LoopbackPorts.isFree(port)) {
      if (System.nanoTime() > deadline) {
        throw new UncheckedIOException(new BindException(
            "cannot listen on localhost:" + port + ": address already in use"));
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /**
   * The database's URL, without a user: the URL's {@code user} parameter would win over the
   * user a client sets, and the api and the worker each log in as their own role.
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + LOOPBACK + ":" + port() + "/" + database;
  }

  /** Creates {@code name} unless it exists, and returns its JDBC URL. */
  public String createDatabase(String name) {
    if (!name.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("database names are lowercase identifiers: " + name);
    }
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      try (ResultSet rs =
          statement.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
        if (!rs.next()) {
          statement.execute("create database " + name);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return jdbcUrl(name);
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
