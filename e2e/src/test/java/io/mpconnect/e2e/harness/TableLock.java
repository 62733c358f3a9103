package io.mpconnect.e2e.harness;

import java.time.Duration;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Holds a lock on a table from the test's own connection so that the worker's transaction that
 * writes it stops right there, mid-transaction, until the lock is released. This is how a test
 * kills the worker "in the middle of the connect transaction" deterministically, with no hook in
 * the product: PostgreSQL shows the blocked backend, and a worker killed then leaves a
 * transaction that can only roll back.
 */
public final class TableLock implements AutoCloseable {
  private final Jdbi jdbi;
  private final String table;
  private Handle handle;

  private TableLock(Jdbi jdbi, String table) {
    this.jdbi = jdbi;
    this.table = table;
  }

  /** SHARE ROW EXCLUSIVE: reads go on, every INSERT/UPDATE/DELETE on the table waits. */
  public static TableLock writes(Jdbi jdbi, String table) {
    if (!table.matches("[a-z_]+")) {
      throw new IllegalArgumentException(table);
    }
    TableLock lock = new TableLock(jdbi, table);
    lock.handle = jdbi.open();
    lock.handle.begin();
    lock.handle.execute("LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE");
    return lock;
  }

  /** How many other backends wait for this table right now. */
  public int waiters() {
    return waiters("");
  }

  /**
   * How many backends wait for this table in a statement containing {@code statement} (e.g.
   * "INSERT INTO marketplace_links"), each a transaction held mid-way.
   */
  public int waiters(String statement) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                + " JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE NOT l.granted AND c.relname = :table"
                + " AND position(lower(:statement) in lower(a.query)) > 0")
        .bind("table", table).bind("statement", statement).mapTo(Integer.class).one());
  }

  public void awaitWaiters(int count, String statement, Duration timeout) {
    Waits.until(count + " transaction(s) waiting on " + table + " in " + statement, timeout,
        () -> waiters(statement) >= count, () -> "waiting now: " + waiters(statement));
  }

  /**
   * Terminates every backend waiting for a lock (here: the statements of a killed worker), as
   * PostgreSQL does by itself when it notices their client is gone; returns how many.
   */
  public static int terminateWaitingBackends(Jdbi jdbi) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        .mapTo(Integer.class).one());
  }

  public void release() {
    if (handle != null) {
      try {
        handle.rollback();
      } finally {
        handle.close();
        handle = null;
      }
    }
  }

  @Override
  public void close() {
    release();
  }
}
