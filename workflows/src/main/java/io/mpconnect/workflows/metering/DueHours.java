package io.mpconnect.workflows.metering;

import java.time.Instant;
import java.util.List;

/**
 * @param hours hours to meter now, oldest first (the last complete hour, missed ones and failed
 *     ones still inside the window)
 * @param expired hours given up just now: out of the window with records unsent
 */
public record DueHours(List<Instant> hours, List<Instant> expired) {}
