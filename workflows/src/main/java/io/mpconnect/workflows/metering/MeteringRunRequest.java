package io.mpconnect.workflows.metering;

import java.time.Instant;

/** Meter the usage hour starting at {@code hour} (on the hour, UTC). */
public record MeteringRunRequest(Instant hour) {}
