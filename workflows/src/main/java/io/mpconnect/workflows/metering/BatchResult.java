package io.mpconnect.workflows.metering;

import java.util.List;

/**
 * What one call did.
 *
 * @param halves when AWS refused the call for one of its records (InvalidLicense, validation, any
 *     other 4xx a record causes), the two halves to send instead, until the bad record is alone;
 *     empty otherwise
 */
public record BatchResult(SendProgress progress, List<SendBatch> halves) {}
