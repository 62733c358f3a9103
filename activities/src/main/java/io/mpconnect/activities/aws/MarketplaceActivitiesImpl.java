package io.mpconnect.activities.aws;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.MarketplaceActivities;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.DisabledApiException;
import software.amazon.awssdk.services.marketplacemetering.model.ExpiredTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.InternalServiceErrorException;
import software.amazon.awssdk.services.marketplacemetering.model.InvalidTokenException;
import software.amazon.awssdk.services.marketplacemetering.model.ResolveCustomerResponse;
import software.amazon.awssdk.services.marketplacemetering.model.ThrottlingException;

/**
 * ResolveCustomer through the real AWS SDK, with the LicenseArn of AWS's current model read by
 * {@link MeteringWireExtensions} (null on legacy listings). Each AWS error becomes either a named
 * non-retryable failure (the customer must act) or a retryable one (AWS must recover). The
 * registration token never appears in a message or a log line.
 */
public class MarketplaceActivitiesImpl implements MarketplaceActivities {
  /** Failure type of retryable AWS errors, for metrics and the workflow history. */
  public static final String THROTTLED = "AwsThrottled";

  public static final String AWS_UNAVAILABLE = "AwsUnavailable";

  private static final Logger log = LoggerFactory.getLogger(MarketplaceActivitiesImpl.class);

  private final MarketplaceMeteringClient client;
  private final String productCode;
  private final AwsCallMetrics metrics;

  public MarketplaceActivitiesImpl(
      MarketplaceMeteringClient client, String productCode, AwsCallMetrics metrics) {
    this.client = client;
    this.productCode = productCode;
    this.metrics = metrics;
  }

  @Override
  public ResolvedCustomer resolveCustomer(String registrationToken) {
    MeteringWireExtensions.ResolvedOnTheWire resolved;
    try {
      resolved = MeteringWireExtensions.resolveCustomer(client, registrationToken);
    } catch (RuntimeException e) {
      throw failureFor(e);
    }
    ResolveCustomerResponse response = resolved.response();
    if (!productCode.equals(response.productCode())) {
      metrics.error("ResolveCustomer", FailureTypes.WRONG_PRODUCT);
      throw ApplicationFailure.newNonRetryableFailure(
          "The token belongs to product " + response.productCode() + ", not " + productCode,
          FailureTypes.WRONG_PRODUCT);
    }
    return new ResolvedCustomer(
        response.productCode(),
        response.customerAWSAccountId(),
        response.customerIdentifier(),
        resolved.licenseArn());
  }

  private ApplicationFailure failureFor(RuntimeException e) {
    ApplicationFailure failure;
    if (e instanceof InvalidTokenException) {
      failure = finalFailure("AWS rejected the registration token", FailureTypes.INVALID_TOKEN);
    } else if (e instanceof ExpiredTokenException) {
      failure = finalFailure("The registration token has expired", FailureTypes.EXPIRED_TOKEN);
    } else if (e instanceof DisabledApiException) {
      failure = finalFailure("AWS says the Metering API is disabled", FailureTypes.AWS_API_DISABLED);
    } else if (e instanceof ThrottlingException) {
      failure = ApplicationFailure.newFailure("AWS throttled ResolveCustomer", THROTTLED);
    } else if (e instanceof InternalServiceErrorException
        || e instanceof SdkClientException
        || (e instanceof AwsServiceException aws && aws.statusCode() >= 500)) {
      failure = ApplicationFailure.newFailure(
          "AWS is unavailable: " + e.getClass().getSimpleName(), AWS_UNAVAILABLE);
    } else if (e instanceof AwsServiceException aws) {
      failure = finalFailure(
          "AWS refused ResolveCustomer: " + aws.awsErrorDetails().errorCode(),
          FailureTypes.AWS_BAD_REQUEST);
    } else {
      throw e;
    }
    metrics.error("ResolveCustomer", failure.getType());
    log.warn("ResolveCustomer failed: {} ({})", failure.getType(), e.getClass().getSimpleName());
    return failure;
  }

  private static ApplicationFailure finalFailure(String message, String type) {
    return ApplicationFailure.newNonRetryableFailure(message, type);
  }
}
