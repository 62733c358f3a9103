package io.mpconnect.workflows.metering;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The stable ids of metering: support, tests and the admin endpoint rely on them. */
public final class MeteringIds {
  /** The Temporal Schedule that meters every hour. */
  public static final String SCHEDULE_ID = "metering-hourly";

  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);

  /**
   * {@code metering-2026-11-26T04:00Z}: one workflow per usage hour, so the schedule, its
   * catch-up and a manual run of the same hour are the same workflow.
   */
  public static String hourWorkflowId(Instant hour) {
    if (!isHour(hour)) {
      throw new IllegalArgumentException("not the start of an hour: " + hour);
    }
    return "metering-" + HOUR.format(hour);
  }

  /** A page of calls of an hour's sending pass: {@code metering-2026-11-26T04:00Z-send-1-1}. */
  public static String sendPageWorkflowId(Instant hour, int pass, int page) {
    return hourWorkflowId(hour) + "-send-" + pass + "-" + page;
  }

  /** One final flush per unsubscribe-pending of a subscription (its transition sequence). */
  public static String flushWorkflowId(String productCode, String customerKey, long sequence) {
    return "metering-flush-" + productCode + "-" + customerKey + "-" + sequence;
  }

  public static boolean isHour(Instant instant) {
    return instant != null && instant.truncatedTo(ChronoUnit.HOURS).equals(instant);
  }

  private MeteringIds() {}
}
