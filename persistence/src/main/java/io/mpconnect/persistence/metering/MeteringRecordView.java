package io.mpconnect.persistence.metering;

import java.time.Instant;

/** A metering record as support sees it. */
public record MeteringRecordView(
    long id,
    String productCode,
    String awsAccountId,
    String customerIdentifier,
    String dimension,
    Instant usageHour,
    long quantity,
    int usageCount,
    Origin origin,
    RecordStatus status,
    String awsMeteringRecordId,
    String failure,
    int attempts,
    Instant createdAt,
    Instant completedAt) {}
