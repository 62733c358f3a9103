package io.mpconnect.activities.metering;

/**
 * What metering reports to monitoring; the worker binds it to Prometheus. Tags are
 * low-cardinality names, never customer ids.
 */
public interface MeteringMetrics {
  MeteringMetrics NONE =
      new MeteringMetrics() {
        @Override
        public void call(String outcome, int records) {}

        @Override
        public void records(String status, int count) {}

        @Override
        public void unprocessed(int count) {}

        @Override
        public void alert(String reason, int count) {}
      };

  /**
   * One BatchMeterUsage call.
   *
   * @param outcome {@code Success} or the AWS exception's name (ThrottlingException, ...)
   */
  void call(String outcome, int records);

  /** Records that reached a final status (SUCCESS, CUSTOMER_NOT_SUBSCRIBED, ...). */
  void records(String status, int count);

  /** Records AWS handed back in UnprocessedRecords. */
  void unprocessed(int count);

  /**
   * Records that need a person: failed for good (TimestampOutOfBounds, InvalidUsageDimension,
   * InvalidCustomer, QuantityOutOfRange, WindowExpired) or DuplicateRecord.
   */
  void alert(String reason, int count);
}
