package io.mpconnect.activities.notifications;

import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.OutboxRepository;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.NotificationActivities;
import io.mpconnect.workflows.messages.AbandonmentNotice;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.ReminderRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Writes notifications to the outbox; {@link OutboxDispatcher} delivers them. Writing is quick and
 * idempotent, so a mail outage never holds up or fails an onboarding.
 */
public final class NotificationActivitiesImpl implements NotificationActivities {
  private final OutboxRepository outbox;
  private final UserRepository users;
  private final OrganizationRepository organizations;

  public NotificationActivitiesImpl(Jdbi jdbi) {
    outbox = new OutboxRepository(jdbi);
    users = new UserRepository(jdbi);
    organizations = new OrganizationRepository(jdbi);
  }

  @Override
  public void enqueueConfirmation(ConfirmationRequest request) {
    if (request == null
        || blank(request.onboardingId())
        || request.organization() == null
        || request.customer() == null
        || blank(request.customer().awsAccountId())) {
      throw invalid("The confirmation request is incomplete.");
    }
    UUID userId = existingUser(request.userId());
    UUID organizationId = uuid(request.organization().id(), "organization id");
    if (organizations.findById(organizationId).isEmpty()) {
      throw invalid("There is no organization " + organizationId + ".");
    }
    outbox.enqueue(
        ConfirmationEmail.dedupeKey(request.onboardingId()),
        ConfirmationEmail.KIND,
        userId,
        organizationId,
        ConfirmationEmail.payload(
            request.onboardingId(),
            request.organization(),
            request.customer(),
            request.subscriptionStatus()));
  }

  @Override
  public void enqueueReminder(ReminderRequest request) {
    if (request == null
        || blank(request.onboardingId())
        || blank(request.awsAccountId())
        || request.number() < 1
        || request.number() > request.of()) {
      throw invalid("The reminder request is incomplete.");
    }
    outbox.enqueue(
        ReminderEmail.dedupeKey(request.onboardingId(), request.number()),
        ReminderEmail.KIND,
        existingUser(request.userId()),
        null,
        ReminderEmail.payload(request));
  }

  @Override
  public void enqueueAbandonmentNotice(AbandonmentNotice notice) {
    if (notice == null || blank(notice.onboardingId()) || blank(notice.awsAccountId())) {
      throw invalid("The abandonment notice is incomplete.");
    }
    outbox.enqueue(
        AbandonmentEmail.dedupeKey(notice.onboardingId()),
        AbandonmentEmail.KIND,
        existingUser(notice.userId()),
        null,
        AbandonmentEmail.payload(notice));
  }

  /** The id of a user that exists, or a non-retryable failure. */
  private UUID existingUser(String id) {
    UUID userId = uuid(id, "user id");
    if (users.findById(userId).isEmpty()) {
      throw invalid("There is no user " + userId + ".");
    }
    return userId;
  }

  private static UUID uuid(String value, String what) {
    try {
      return UUID.fromString(String.valueOf(value).strip());
    } catch (IllegalArgumentException e) {
      throw invalid("The " + what + " \"" + value + "\" is not a valid id.");
    }
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.INVALID_INPUT);
  }
}
