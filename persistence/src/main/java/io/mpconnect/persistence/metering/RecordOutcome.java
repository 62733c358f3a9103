package io.mpconnect.persistence.metering;

/**
 * AWS's final answer for one record.
 *
 * @param awsMeteringRecordId set for SUCCESS
 * @param failure set for FAILED: why (an AWS exception name or one of ours)
 */
public record RecordOutcome(
    long id, RecordStatus status, String awsMeteringRecordId, String failure) {

  public static RecordOutcome success(long id, String meteringRecordId) {
    return new RecordOutcome(id, RecordStatus.SUCCESS, meteringRecordId, null);
  }

  public static RecordOutcome failed(long id, String failure) {
    return new RecordOutcome(id, RecordStatus.FAILED, null, failure);
  }
}
