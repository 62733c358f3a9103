package io.mpconnect.workflows.metering;

/**
 * @param pending records left to the hourly runs (the flush gave up in time)
 */
public record FlushResult(
    String productCode, String awsAccountId, int created, SendProgress sending, int pending) {}
