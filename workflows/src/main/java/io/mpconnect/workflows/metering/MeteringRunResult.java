package io.mpconnect.workflows.metering;

import java.time.Instant;

/** An hour's result: its records by status as stored, and this attempt's calls. */
public record MeteringRunResult(
    Instant hour,
    RunOutcome outcome,
    int records,
    int succeeded,
    int notSubscribed,
    int duplicates,
    int failed,
    int pending,
    int calls,
    int throttles,
    String error) {}
