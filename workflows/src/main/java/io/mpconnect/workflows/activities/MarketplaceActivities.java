package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.temporal.activity.ActivityInterface;

/** Calls to the AWS Marketplace Metering Service. */
@ActivityInterface
public interface MarketplaceActivities {
  /**
   * ResolveCustomer. Fails non-retryably with {@link FailureTypes#INVALID_TOKEN}, {@link
   * FailureTypes#EXPIRED_TOKEN}, {@link FailureTypes#WRONG_PRODUCT} or {@link
   * FailureTypes#AWS_API_DISABLED}; throttling and AWS internal errors are retried.
   */
  ResolvedCustomer resolveCustomer(String registrationToken);
}
