package io.mpconnect.workflows.metering;

import java.time.Instant;

/**
 * A metering run as support sees it in the Temporal UI (query {@code progress}).
 *
 * @param phase AGGREGATING, SENDING, WAITING (backing off before another attempt), DONE
 */
public record MeteringProgress(
    Instant hour, String phase, HourPlan plan, SendProgress sent, int attempts, String lastError) {}
