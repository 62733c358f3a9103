package io.mpconnect.persistence;

import java.time.Instant;

/**
 * A lifecycle message that could not be applied, kept with why.
 *
 * @param source sqs or admin
 * @param reason the parser's (or the consumer's) reason: OVERSIZED, MALFORMED, UNKNOWN_PRODUCT,
 *     UNKNOWN_ACTION, UNSUPPORTED_EVENT, FOREIGN_ACCOUNT, FOREIGN_SOURCE, NOT_CONFIGURED or
 *     DELIVERY_FAILED (the table's CHECK constraint, V5__parked_event_reasons.sql, lists them)
 */
public record ParkedEvent(
    long id,
    Instant parkedAt,
    String source,
    String reason,
    String detail,
    String transportMessageId,
    String productCode,
    String customerKey,
    String body,
    boolean bodyTruncated,
    Instant resolvedAt,
    String resolution) {}
