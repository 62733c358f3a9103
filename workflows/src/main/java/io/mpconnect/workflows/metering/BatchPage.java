package io.mpconnect.workflows.metering;

import java.util.List;

/**
 * A page of calls to make, planned from the scope's pending records.
 *
 * @param next where the next page starts, or null when this page reached the end
 * @param revoked records failed without a call because their license was revoked (AWS accepts no
 *     usage for it any more)
 */
public record BatchPage(List<SendBatch> batches, BatchCursor next, int revoked) {}
