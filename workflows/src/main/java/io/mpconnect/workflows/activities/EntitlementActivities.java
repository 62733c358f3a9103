package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.EntitlementSummary;
import io.temporal.activity.ActivityInterface;

/**
 * Contract listings: the customer's entitlements, read from the AWS Marketplace Entitlement
 * Service (GetEntitlements) and stored per license. Only the subscription workflow of a contract
 * listing calls it.
 */
@ActivityInterface
public interface EntitlementActivities {
  /** AWS said the request is invalid (InvalidParameterException): retrying cannot help. */
  String INVALID_PARAMETER = "EntitlementInvalidParameter";
  /**
   * AWS refused the caller (AccessDeniedException, UnrecognizedClientException, any other 4xx):
   * credentials or IAM permissions ({@code aws-marketplace:GetEntitlements}) must be fixed.
   */
  String ACCESS_DENIED = "EntitlementAccessDenied";

  /**
   * Reads the customer's entitlements with GetEntitlements (filters CUSTOMER_AWS_ACCOUNT_ID and,
   * when {@code licenseArn} is set, LICENSE_ARN; every page), replaces what is stored for that
   * license, and answers a summary. Throttling, AWS 5xx and network errors are retried by
   * Temporal; {@link #INVALID_PARAMETER} and {@link #ACCESS_DENIED} are not.
   *
   * @param licenseArn the license, or null for the whole account (a legacy listing)
   */
  EntitlementSummary refreshEntitlements(String productCode, String awsAccountId, String licenseArn);
}
