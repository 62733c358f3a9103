package io.mpconnect.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running onboardings per step, read from Temporal's visibility (the {@code OnboardingStep}
 * search attribute) every METRICS_VISIBILITY_INTERVAL (a minute) in the background, never on the
 * scrape:
 *
 * <ul>
 *   <li>{@code mpconnect_onboardings_running{step}}: onboardings running in each step;
 *   <li>{@code mpconnect_onboarding_oldest_running_seconds{step}}: how long ago the oldest of them
 *       started (0 when none). Measured from the onboarding's start: the time in the step is at
 *       most this, so the alert compares it with the steps' budgets up to and including it
 *       (ops/prometheus/alerts.yml, OnboardingStuckInStep).
 * </ul>
 *
 * Both are NaN until the first read and after a read that failed. One listing of the running
 * onboardings per interval; they are bounded by the registrations of the last hours (the human
 * steps time out after ONBOARDING_AUTH_TIMEOUT and ONBOARDING_CHOICE_TIMEOUT).
 */
public final class OnboardingMeters implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OnboardingMeters.class);
  static final Duration DEFAULT_EVERY = Duration.ofMinutes(1);
  static final String QUERY =
      "WorkflowType=\"OnboardingWorkflow\" AND ExecutionStatus=\"Running\"";

  private final WorkflowClient client;
  private final Clock clock;
  private final Duration every;
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "onboarding-meters");
        thread.setDaemon(true);
        return thread;
      });
  private volatile Map<OnboardingStep, double[]> byStep;

  public OnboardingMeters(
      MeterRegistry registry, WorkflowClient client, Clock clock, Duration every) {
    this.client = client;
    this.clock = clock;
    this.every = every;
    for (OnboardingStep step : OnboardingStep.values()) {
      if (step == OnboardingStep.DONE) {
        continue;
      }
      Gauge.builder("mpconnect_onboardings_running", this, m -> m.value(step, 0))
          .description("Onboardings running in each step (Temporal visibility, refreshed in the background)")
          .tag("step", step.name())
          .strongReference(true)
          .register(registry);
      Gauge.builder("mpconnect_onboarding_oldest_running_seconds", this, m -> m.value(step, 1))
          .description("Seconds since the start of the oldest onboarding running in each step")
          .tag("step", step.name())
          .strongReference(true)
          .register(registry);
    }
  }

  public void start() {
    refresher.scheduleWithFixedDelay(this::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  private double value(OnboardingStep step, int index) {
    Map<OnboardingStep, double[]> current = byStep;
    if (current == null) {
      return Double.NaN;
    }
    double[] values = current.get(step);
    return values == null ? 0 : values[index];
  }

  /** Reads the running onboardings once; visible for tests. */
  void refresh() {
    try {
      Instant now = clock.instant();
      Map<OnboardingStep, double[]> counted = new EnumMap<>(OnboardingStep.class);
      try (Stream<WorkflowExecutionMetadata> running = client.listExecutions(QUERY)) {
        running.forEach(execution -> {
          String step = execution.getTypedSearchAttributes().get(SearchAttributes.ONBOARDING_STEP);
          OnboardingStep known = parse(step);
          if (known == null) {
            return;
          }
          double[] values = counted.computeIfAbsent(known, s -> new double[2]);
          values[0]++;
          values[1] = Math.max(values[1],
              Math.max(0, Duration.between(execution.getStartTime(), now).toSeconds()));
        });
      }
      byStep = counted;
    } catch (RuntimeException e) {
      log.warn("cannot list the running onboardings for metrics: {}", e.toString());
      byStep = null;
    }
  }

  private static OnboardingStep parse(String step) {
    if (step == null) {
      return null;
    }
    try {
      return OnboardingStep.valueOf(step);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
