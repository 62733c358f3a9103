package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * One AWS Marketplace lifecycle event, as the event parser normalized it from an SNS-wrapped or raw
 * legacy message or an EventBridge event. Carries ids and flags only: never a token or an address.
 *
 * @param customerKey the subscription's customer key: the legacy CustomerIdentifier when the event
 *     names one, else the AWS account id
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null
 * @param awsAccountId the buyer's AWS account id when the event names it, or null
 * @param messageId the id duplicates share (SNS MessageId, EventBridge requestId or id, SQS
 *     MessageId), or null when there is none; duplicates are ignored by it
 * @param occurredAt when AWS sent it (SNS Timestamp, EventBridge time, SQS SentTimestamp), or null;
 *     an event older than the last one applied is recorded but not applied
 * @param source where it came from: {@code sqs}, {@code admin}, ...
 * @param offerIdentifier the private offer's id, or null
 * @param freeTrial AWS's isFreeTrialTermPresent, or null when absent
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
    Boolean freeTrial) {}
