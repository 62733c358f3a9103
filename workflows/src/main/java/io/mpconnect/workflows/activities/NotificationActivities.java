package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.AbandonmentNotice;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.ReminderRequest;
import io.temporal.activity.ActivityInterface;

/**
 * Customer notifications, written to the outbox and delivered from there. Each is written once
 * (the outbox's dedupe key): a retry adds nothing. An unknown user or an incomplete request fails
 * with {@link FailureTypes#INVALID_INPUT}, not retried.
 */
@ActivityInterface
public interface NotificationActivities {
  /** Writes the confirmation to the outbox once per onboarding (a retry adds nothing). */
  void enqueueConfirmation(ConfirmationRequest request);

  /** Writes reminder {@code request.number()} to the outbox once per onboarding. */
  void enqueueReminder(ReminderRequest request);

  /** Writes the abandonment notice to the outbox once per onboarding. */
  void enqueueAbandonmentNotice(AbandonmentNotice notice);
}
