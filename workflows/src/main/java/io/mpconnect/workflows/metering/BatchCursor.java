package io.mpconnect.workflows.metering;

/** Where the next page of batches starts: after this (product, dimension, id). */
public record BatchCursor(String productCode, String dimension, long id) {
  public static final BatchCursor START = new BatchCursor("", "", 0);
}
