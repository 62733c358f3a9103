package io.mpconnect.worker.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.ParkedEventRepository;
import io.mpconnect.persistence.ParkedEventRepository.Parking;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Reason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every reason the parser (or the consumer) can give is one the {@code parked_events} table's
 * CHECK constraint accepts, on the migrated schema of a real PostgreSQL: a reason the database
 * refused would leave its message on the queue, redelivered forever.
 */
class ParkedEventReasonsTest {
  private static EmbeddedDatabase postgres;
  private static Database database;

  @BeforeAll
  static void start() {
    postgres = EmbeddedDatabase.start();
    database = Database.connect(new DatabaseSettings(postgres.createDatabase("parked_reasons"),
        EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD), 2);
  }

  @AfterAll
  static void stop() {
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void everyReasonCanBeParked() {
    ParkedEventRepository parked = new ParkedEventRepository(database.jdbi());
    for (Reason reason : Reason.values()) {
      assertThat(parked.park(new Parking("sqs", reason.name(), "why: " + reason,
          "message-" + reason, "prod-1", "111122223333", "{}"))).as(reason.name()).isTrue();
    }
    assertThat(parked.unresolved(100)).extracting(p -> p.reason())
        .containsExactlyInAnyOrder(java.util.Arrays.stream(Reason.values()).map(Enum::name)
            .toArray(String[]::new));
  }
}
