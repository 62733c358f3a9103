package io.mpconnect.worker.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What the lifecycle event intake counts. */
public interface EventMetrics {
  EventMetrics NONE =
      new EventMetrics() {
        @Override
        public void delivered(String action) {}

        @Override
        public void parked(String reason) {}

        @Override
        public void retried(String cause) {}
      };

  /** Temporal accepted the event's signal and the message was deleted. */
  void delivered(String action);

  /** The message was parked (and deleted), by reason. */
  void parked(String reason);

  /** The message was left on the queue for redelivery, by cause. */
  void retried(String cause);

  /**
   * {@code mpconnect_lifecycle_events_delivered_total{action}}, {@code
   * mpconnect_lifecycle_events_parked_total{reason}} and {@code
   * mpconnect_lifecycle_events_retried_total{cause}}.
   */
  static EventMetrics micrometer(MeterRegistry registry) {
    return new EventMetrics() {
      @Override
      public void delivered(String action) {
        Counter.builder("mpconnect_lifecycle_events_delivered")
            .description("Lifecycle events signalled to their subscription workflow")
            .tag("action", action)
            .register(registry)
            .increment();
      }

      @Override
      public void parked(String reason) {
        Counter.builder("mpconnect_lifecycle_events_parked")
            .description("Lifecycle messages parked in parked_events instead of applied")
            .tag("reason", reason)
            .register(registry)
            .increment();
      }

      @Override
      public void retried(String cause) {
        Counter.builder("mpconnect_lifecycle_events_retried")
            .description("Lifecycle messages left on the queue for redelivery")
            .tag("cause", cause)
            .register(registry)
            .increment();
      }
    };
  }
}
