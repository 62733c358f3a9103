package io.mpconnect.persistence;

import java.time.Duration;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/** Lets a test hold a transaction open until another one is provably blocked behind it. */
final class Waits {
  static void untilSomeoneWaitsForALock(Jdbi jdbi) throws InterruptedException {
    untilLockWaiters(jdbi, 1);
  }

  static void untilLockWaiters(Jdbi jdbi, int waiters) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(deadline)) {
      int waiting =
          jdbi.withHandle(
              h ->
                  h.createQuery(
                          """
                          SELECT count(*) FROM pg_stat_activity
                          WHERE datname = current_database() AND wait_event_type = 'Lock'\
                          """)
                      .mapTo(Integer.class)
                      .one());
      if (waiting >= waiters) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no transaction started waiting for a lock within 10 s");
  }

  private Waits() {}
}
