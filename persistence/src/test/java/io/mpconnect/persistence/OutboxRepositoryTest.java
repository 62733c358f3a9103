package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private final OutboxRepository outbox = new OutboxRepository(postgres.jdbi());

  @Test
  void enqueueTwice_withSameKey_makesOneRow() {
    assertThat(outbox.enqueue("k:twice", "TEST", null, null, Map.of("n", 1))).isTrue();
    assertThat(outbox.enqueue("k:twice", "TEST", null, null, Map.of("n", 2))).isFalse();

    assertThat(outbox.findByDedupeKey("k:twice").orElseThrow().payload()).containsEntry("n", 1);
  }

  @Test
  void claimedMessage_isNotClaimedAgainDuringItsLease() {
    outbox.enqueue("k:lease", "TEST", null, null, Map.of());

    assertThat(outbox.claimDue(10, Duration.ofMinutes(5)))
        .extracting(OutboxMessage::dedupeKey)
        .contains("k:lease");
    assertThat(outbox.claimDue(10, Duration.ofMinutes(5)))
        .extracting(OutboxMessage::dedupeKey)
        .doesNotContain("k:lease");
  }

  @Test
  void sentMessage_isNeverDueAgain() {
    outbox.enqueue("k:sent", "TEST", null, null, Map.of());
    long id = outbox.claimDue(10, Duration.ZERO).get(0).id();

    outbox.markSent(id);

    assertThat(outbox.claimDue(10, Duration.ZERO))
        .extracting(OutboxMessage::dedupeKey)
        .doesNotContain("k:sent");
    assertThat(outbox.findByDedupeKey("k:sent").orElseThrow().sentAt()).isNotNull();
  }

  @Test
  void recordFailure_retriesUntilMaxAttempts_thenGivesUpKeepingTheError() {
    outbox.enqueue("k:fail", "TEST", null, null, Map.of());
    long id = outbox.findByDedupeKey("k:fail").orElseThrow().id();

    assertThat(outbox.recordFailure(id, "first", Duration.ZERO, 2)).isFalse();
    assertThat(outbox.recordFailure(id, "second", Duration.ZERO, 2)).isTrue();

    OutboxMessage message = outbox.findByDedupeKey("k:fail").orElseThrow();
    assertThat(message.attempts()).isEqualTo(2);
    assertThat(message.failedAt()).isNotNull();
    assertThat(message.lastError()).isEqualTo("second");
    assertThat(outbox.claimDue(10, Duration.ZERO))
        .extracting(OutboxMessage::dedupeKey)
        .doesNotContain("k:fail");
  }
}
