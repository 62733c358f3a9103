package io.mpconnect.workflows.metering;

/**
 * A page of a sending pass, run as its own child workflow to keep each history small: the calls
 * planned from the pending records after {@code after} up to {@code until} included (null: to the
 * end of the scope).
 */
public record BatchPassRequest(SendScope scope, BatchCursor after, BatchCursor until) {}
