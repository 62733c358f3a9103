package io.mpconnect.workflows.metering;

/**
 * What a page of a sending pass did.
 *
 * @param next where the pass goes on, or null at the end of the scope's pending records
 * @param error the last call's failure when the page stopped early (AWS down, still throttled, or
 *     a configuration error), else null
 * @param stopped true when the error is one no retry cures (the run stops: configuration)
 */
public record BatchPassResult(
    SendProgress progress, BatchCursor next, String error, boolean stopped) {}
