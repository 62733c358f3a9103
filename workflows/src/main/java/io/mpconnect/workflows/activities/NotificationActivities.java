package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.temporal.activity.ActivityInterface;

/** Customer notifications, written to the outbox and delivered from there. */
@ActivityInterface
public interface NotificationActivities {
  /** Writes the confirmation to the outbox once per onboarding (a retry adds nothing). */
  void enqueueConfirmation(ConfirmationRequest request);
}
