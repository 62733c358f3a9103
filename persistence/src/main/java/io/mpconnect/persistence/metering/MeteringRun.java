package io.mpconnect.persistence.metering;

import java.time.Instant;

/** One metered hour. Counts are of the hour's records at the end of the last attempt. */
public record MeteringRun(
    Instant hour,
    RunStatus status,
    int attempts,
    Instant startedAt,
    Instant finishedAt,
    int records,
    int succeeded,
    int notSubscribed,
    int duplicates,
    int failed,
    int calls,
    int throttles,
    String lastError) {}
