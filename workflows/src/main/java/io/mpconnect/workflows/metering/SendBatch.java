package io.mpconnect.workflows.metering;

import java.time.Instant;

/**
 * One BatchMeterUsage call to make: the pending records of one product and dimension, within the
 * scope ({@code hour}, or {@code awsAccountId} for a final flush), whose ids lie in {@code
 * fromId..toId}, at most 25. Ids only: the records stay in PostgreSQL, and a retry of the call
 * sends whatever of them is still pending, identical to the first time.
 */
public record SendBatch(
    String productCode,
    String dimension,
    Instant hour,
    String awsAccountId,
    long fromId,
    long toId,
    int records) {}
