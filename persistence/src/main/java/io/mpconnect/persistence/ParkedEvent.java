package io.mpconnect.persistence;

import java.time.Instant;

/**
 * A lifecycle message that could not be applied, kept with why.
 *
 * @param source sqs or admin
 * @param reason the parser's (or the consumer's) reason, e.g. MALFORMED
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
