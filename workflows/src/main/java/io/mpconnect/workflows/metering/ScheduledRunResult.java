package io.mpconnect.workflows.metering;

import java.time.Instant;
import java.util.List;

/**
 * What one firing of the schedule did.
 *
 * @param alreadyRunning hours whose workflow was already running (a manual run): left to it
 */
public record ScheduledRunResult(
    List<MeteringRunResult> runs, List<Instant> alreadyRunning, List<Instant> expired) {}
