package io.mpconnect.persistence;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** One-line queries for assertions. */
final class TestSql {
  static int count(Jdbi jdbi, String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }

  static List<String> strings(Jdbi jdbi, String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
  }

  private TestSql() {}
}
