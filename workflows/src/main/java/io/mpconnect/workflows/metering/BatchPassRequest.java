package io.mpconnect.workflows.metering;

/** A page of a sending pass, run as its own child workflow to keep each history small. */
public record BatchPassRequest(SendScope scope, BatchCursor after) {}
