package io.mpconnect.activities.metering;

import io.mpconnect.persistence.metering.CustomerKey;
import io.mpconnect.workflows.metering.BatchResult;
import io.mpconnect.workflows.metering.MeteringSenderActivities;
import io.mpconnect.workflows.metering.SendBatch;
import io.mpconnect.workflows.metering.SendProgress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Instant;

/** The sending activities: {@link BatchMeterUsageSender} with the activity's heartbeat. */
public class MeteringSenderActivitiesImpl implements MeteringSenderActivities {
  private final BatchMeterUsageSender sender;

  public MeteringSenderActivitiesImpl(BatchMeterUsageSender sender) {
    this.sender = sender;
  }

  @Override
  public BatchResult sendBatch(SendBatch batch) {
    return sender.sendBatch(batch, Activity.getExecutionContext().getInfo().getAttempt());
  }

  @Override
  public SendProgress sendHour(Instant hour) {
    return sender.sendHour(hour, heartbeat());
  }

  @Override
  public SendProgress sendCustomer(String productCode, String awsAccountId) {
    return sender.sendCustomer(new CustomerKey(productCode, awsAccountId), heartbeat());
  }

  // A heartbeat around every call: the server learns within the heartbeat timeout that a worker
  // died mid-hour, and a cancelled or timed-out attempt stops at its next call.
  private static Runnable heartbeat() {
    ActivityExecutionContext context = Activity.getExecutionContext();
    return () -> context.heartbeat(null);
  }
}
