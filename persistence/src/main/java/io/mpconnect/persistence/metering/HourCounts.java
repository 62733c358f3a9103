package io.mpconnect.persistence.metering;

/** Metering records of one hour by status. */
public record HourCounts(
    int pending, int succeeded, int notSubscribed, int duplicates, int failed) {
  public int total() {
    return pending + succeeded + notSubscribed + duplicates + failed;
  }
}
