package io.mpconnect.activities.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpconnect.activities.accounts.TestDatabase;
import io.mpconnect.persistence.OutboxMessage;
import io.mpconnect.persistence.OutboxRepository;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NotificationActivitiesImplTest {
  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private final NotificationActivitiesImpl activities = new NotificationActivitiesImpl(db.jdbi());
  private final Fixtures fixtures = new Fixtures(db.jdbi());

  @Test
  void enqueueConfirmationTwice_makesOneOutboxRow_withoutAnAddress() {
    ConfirmationRequest request = fixtures.confirmation("onb-twice", "owner@example.com");

    activities.enqueueConfirmation(request);
    activities.enqueueConfirmation(request);

    assertThat(
            db.count(
                "SELECT count(*) FROM notification_outbox WHERE dedupe_key = ?",
                "confirmation:onb-twice"))
        .isEqualTo(1);
    OutboxMessage row =
        new OutboxRepository(db.jdbi()).findByDedupeKey("confirmation:onb-twice").orElseThrow();
    assertThat(row.recipientUserId().toString()).isEqualTo(request.userId());
    assertThat(row.payload())
        .containsEntry("organizationName", request.organization().name())
        .containsEntry("organizationId", request.organization().id())
        .containsEntry("awsAccountId", request.customer().awsAccountId());
    assertThat(row.payload().toString()).doesNotContain("@");
  }

  @Test
  void enqueueConfirmation_forUnknownUser_failsNonRetryably() {
    ConfirmationRequest valid = fixtures.confirmation("onb-unknown", "someone@example.com");
    ConfirmationRequest unknown =
        new ConfirmationRequest(
            "onb-unknown", UUID.randomUUID().toString(), valid.organization(), valid.customer());

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> activities.enqueueConfirmation(unknown));

    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(
            db.count(
                "SELECT count(*) FROM notification_outbox WHERE dedupe_key ="
                    + " 'confirmation:onb-unknown'"))
        .isZero();
  }
}
