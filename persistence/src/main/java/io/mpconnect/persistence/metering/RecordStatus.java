package io.mpconnect.persistence.metering;

/** A metering record's state. Only PENDING records are (re)sent; the others are final. */
public enum RecordStatus {
  /** Not yet answered by AWS (never sent, unprocessed, throttled, or the answer was lost). */
  PENDING,
  /** AWS metered it; the record holds AWS's MeteringRecordId. */
  SUCCESS,
  /** AWS answered CustomerNotSubscribed: the customer was not subscribed for that hour. */
  CUSTOMER_NOT_SUBSCRIBED,
  /** AWS holds another quantity for that customer, dimension and hour; the first one stands. */
  DUPLICATE_RECORD,
  /** Final failure (see the failure column); alerted, never sent again. */
  FAILED
}
