package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * One AWS Marketplace lifecycle event, as the event parser normalized it from an SNS-wrapped or raw
 * legacy message or an EventBridge event. Carries ids and flags only: never a token or an address.
 *
 * @param productCode this vendor's product code (for agreement events, which carry only the
 *     listing's product id, the code configured for that id)
 * @param customerKey the subscription's customer key: the AWS account id when known, else (a
 *     legacy message whose CustomerIdentifier is not mapped to an account yet) the identifier
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null
 * @param awsAccountId the buyer's AWS account id, or null while a legacy identifier is not mapped
 * @param messageId the id duplicates share (SNS MessageId, EventBridge envelope {@code id}, SQS
 *     MessageId), or null when there is none; duplicates are ignored by it
 * @param occurredAt when AWS says it happened (SNS Timestamp, EventBridge time), or when the queue
 *     received it; a license's usable-from time is this, not the arrival time
 * @param source where it came from: {@code sqs}, {@code admin}, ...
 * @param offerIdentifier the (private) offer's id, or null
 * @param freeTrial AWS's isFreeTrialTermPresent, or null when absent
 * @param agreementId the agreement's id (EventBridge events), or null
 * @param licenseArn the license's ARN (License events), or null
 * @param agreementDetail the agreement's intent (Created: NEW, RENEW, REPLACE) or status (Ended:
 *     CANCELLED, EXPIRED, TERMINATED, RENEWED, REPLACED), or null
 */
public record LifecycleEvent(
    LifecycleAction action,
    String productCode,
    String customerKey,
    String customerIdentifier,
    String awsAccountId,
    String messageId,
    Instant occurredAt,
    String source,
    String offerIdentifier,
    Boolean freeTrial,
    String agreementId,
    String licenseArn,
    String agreementDetail) {

  /** A legacy event (no agreement, no license). */
  public LifecycleEvent(
      LifecycleAction action,
      String productCode,
      String customerKey,
      String customerIdentifier,
      String awsAccountId,
      String messageId,
      Instant occurredAt,
      String source,
      String offerIdentifier,
      Boolean freeTrial) {
    this(action, productCode, customerKey, customerIdentifier, awsAccountId, messageId, occurredAt,
        source, offerIdentifier, freeTrial, null, null, null);
  }

  /** The same event, addressed to the customer's AWS account (a legacy identifier now mapped). */
  public LifecycleEvent withAccount(String account) {
    return new LifecycleEvent(action, productCode, account, customerIdentifier, account, messageId,
        occurredAt, source, offerIdentifier, freeTrial, agreementId, licenseArn, agreementDetail);
  }
}
