package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * unsubscribe-pending arrived: about one hour remains to send this customer's last usage records.
 *
 * @param customerIdentifier AWS's legacy CustomerIdentifier, or null (then meter by account id)
 * @param awsAccountId null when not known
 * @param organizationId the linked organization, or null when none is linked
 * @param requestedAt when the subscription workflow asked (workflow time)
 * @param sequence the subscription's transition counter: one flush per unsubscribe-pending
 */
public record FinalFlushRequest(
    String productCode,
    String customerKey,
    String customerIdentifier,
    String awsAccountId,
    String organizationId,
    Instant requestedAt,
    long sequence) {}
