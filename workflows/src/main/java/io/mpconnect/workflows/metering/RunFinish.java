package io.mpconnect.workflows.metering;

import java.time.Instant;

/** The end of one attempt of an hour, with the call counts the workflow gathered. */
public record RunFinish(Instant hour, RunOutcome outcome, int calls, int throttles, String error) {}
