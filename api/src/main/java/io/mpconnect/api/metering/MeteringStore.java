package io.mpconnect.api.metering;

import io.mpconnect.api.db.LazyPool;
import io.mpconnect.config.DatabaseSettings;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * The api's PostgreSQL pool for usage intake (the one write the architecture lets the api make
 * directly, for volume) and the metering support view. Opens on first use, so the api starts and
 * serves everything else while the database is away; the worker owns the schema.
 */
final class MeteringStore implements AutoCloseable {
  static final int POOL_SIZE = 5;

  private final LazyPool pool;

  MeteringStore(DatabaseSettings settings) {
    this.pool = new LazyPool(settings, "usage", POOL_SIZE, false);
  }

  /** Runs {@code work} on the pool; {@link LazyPool.UnavailableException} when the database is away. */
  <T> T use(Function<Jdbi, T> work) {
    return pool.use(work);
  }

  @Override
  public void close() {
    pool.close();
  }
}
