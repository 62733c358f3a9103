package io.mpconnect.activities.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpconnect.activities.accounts.TestDatabase;
import io.mpconnect.persistence.OutboxMessage;
import io.mpconnect.persistence.OutboxRepository;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.AbandonmentNotice;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.ReminderRequest;
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

  @Test
  void enqueueReminderTwice_makesOneRowPerReminder_withoutAnAddress() {
    ReminderRequest first = fixtures.reminder("onb-remind", "late@example.com");
    ReminderRequest second =
        new ReminderRequest(
            first.onboardingId(), first.userId(), first.awsAccountId(), 2, 2, first.expiresAt());

    activities.enqueueReminder(first);
    activities.enqueueReminder(first);
    activities.enqueueReminder(second);

    assertThat(
            db.count(
                "SELECT count(*) FROM notification_outbox WHERE kind = 'ONBOARDING_REMINDER'"
                    + " AND payload->>'onboardingId' = 'onb-remind'"))
        .isEqualTo(2);
    OutboxMessage row =
        new OutboxRepository(db.jdbi()).findByDedupeKey("reminder:onb-remind:1").orElseThrow();
    assertThat(row.recipientUserId().toString()).isEqualTo(first.userId());
    assertThat(row.organizationId()).isNull();
    assertThat(row.payload())
        .containsEntry("onboardingId", "onb-remind")
        .containsEntry("awsAccountId", "123456789012")
        .containsEntry("number", 1)
        .containsEntry("of", 2)
        .containsEntry("expiresAt", "2026-12-04T06:30:00Z");
    assertThat(row.payload().toString()).doesNotContain("@");
    assertThat(new OutboxRepository(db.jdbi()).findByDedupeKey("reminder:onb-remind:2"))
        .isPresent();
  }

  @Test
  void enqueueAbandonmentNoticeTwice_makesOneOutboxRow() {
    AbandonmentNotice notice = fixtures.abandonment("onb-gone", "gone@example.com");

    activities.enqueueAbandonmentNotice(notice);
    activities.enqueueAbandonmentNotice(notice);

    assertThat(
            db.count(
                "SELECT count(*) FROM notification_outbox WHERE dedupe_key = ?",
                "abandoned:onb-gone"))
        .isEqualTo(1);
    OutboxMessage row =
        new OutboxRepository(db.jdbi()).findByDedupeKey("abandoned:onb-gone").orElseThrow();
    assertThat(row.kind()).isEqualTo("ONBOARDING_ABANDONED");
    assertThat(row.recipientUserId().toString()).isEqualTo(notice.userId());
    assertThat(row.payload())
        .containsEntry("onboardingId", "onb-gone")
        .containsEntry("awsAccountId", "123456789012");
  }

  @Test
  void remindersAndNoticesOfUnknownUsersOrIncompleteRequests_failNonRetryably() {
    ReminderRequest valid = fixtures.reminder("onb-bad", "bad@example.com");
    String stranger = UUID.randomUUID().toString();
    for (Runnable call :
        new Runnable[] {
          () ->
              activities.enqueueReminder(
                  new ReminderRequest("onb-bad", stranger, "123456789012", 1, 2, null)),
          () ->
              activities.enqueueReminder(
                  new ReminderRequest("onb-bad", "not-a-uuid", "123456789012", 1, 2, null)),
          () ->
              activities.enqueueReminder(
                  new ReminderRequest("onb-bad", valid.userId(), "123456789012", 3, 2, null)),
          () -> activities.enqueueReminder(null),
          () ->
              activities.enqueueAbandonmentNotice(
                  new AbandonmentNotice("onb-bad", stranger, "123456789012")),
          () ->
              activities.enqueueAbandonmentNotice(
                  new AbandonmentNotice(" ", valid.userId(), "123456789012")),
        }) {
      ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
      assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
      assertThat(failure.isNonRetryable()).isTrue();
    }
    assertThat(
            db.count(
                "SELECT count(*) FROM notification_outbox WHERE payload->>'onboardingId' ="
                    + " 'onb-bad'"))
        .isZero();
  }
}
