package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.FinalFlushRequest;
import io.temporal.activity.ActivityInterface;

/**
 * The hook between a subscription and metering: after {@code unsubscribe-pending}, about one hour
 * remains to send the customer's last usage records. The subscription workflow calls this once per
 * unsubscribe-pending; the metering implementation sends (or schedules) the final BatchMeterUsage
 * for that customer. Must be idempotent per {@link FinalFlushRequest#sequence()}.
 */
@ActivityInterface
public interface MeteringFlushActivities {
  void requestFinalFlush(FinalFlushRequest request);
}
