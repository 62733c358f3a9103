package io.mpconnect.persistence.metering;

/**
 * What one aggregation created.
 *
 * @param records metering records created from usage
 * @param usageClaimed usage rows claimed into them
 * @param zeroRecords zero-quantity records created for idle active customers
 * @param oversized records refused at once because their sum exceeds AWS's 2^31-1
 */
public record Aggregation(int records, int usageClaimed, int zeroRecords, int oversized) {
  public static final Aggregation NONE = new Aggregation(0, 0, 0, 0);

  public Aggregation plus(Aggregation other) {
    return new Aggregation(
        records + other.records,
        usageClaimed + other.usageClaimed,
        zeroRecords + other.zeroRecords,
        oversized + other.oversized);
  }
}
