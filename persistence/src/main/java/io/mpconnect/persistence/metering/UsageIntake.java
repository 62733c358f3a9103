package io.mpconnect.persistence.metering;

import java.util.List;

/**
 * What storing a batch of usage did. All or nothing: when any record's idempotency key already
 * holds different usage ({@link Status#CONFLICT}), nothing of the batch was stored.
 */
public record UsageIntake(List<Item> items) {
  public enum Status {
    /** Stored now. */
    CREATED,
    /** The idempotency key was seen before with the same usage: nothing changed. */
    DUPLICATE,
    /** The idempotency key was seen before with different usage: refused. */
    CONFLICT
  }

  /**
   * @param usageRecordId the stored row (the earlier one for a duplicate or conflict); null when
   *     a conflict rolled the batch back before this item was stored
   */
  public record Item(Status status, Long usageRecordId) {}

  public boolean hasConflict() {
    return items.stream().anyMatch(i -> i.status() == Status.CONFLICT);
  }

  public long count(Status status) {
    return items.stream().filter(i -> i.status() == status).count();
  }
}
