package io.mpconnect.api.onboarding;

import io.mpconnect.workflows.messages.OnboardingView;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The view an Update of a running onboarding just answered, kept for the next read of that
 * onboarding in this api process. After the sign-in the browser is sent straight to the page,
 * which reads the view at once, and the {@code authenticate} Update's answer is that view: the
 * read needs no query (a worker's query task and two calls to the Temporal server). An answer is
 * served once, and only within {@link #FRESH}: a running onboarding's view can still change (the
 * choice timeout, support), so every later read asks the workflow again. Ended views are {@link
 * FinalViews}' business. Each api process has its own; a miss just queries.
 */
final class UpdateAnswers {
  /**
   * The redirect after a sign-in is followed in milliseconds. Short, so an answer is never older
   * than a race the page has anyway (a read just before a timeout or support's change).
   */
  static final Duration FRESH = Duration.ofSeconds(2);
  /** Answers nobody read (a browser that did not follow the redirect) are dropped past this. */
  static final int CAPACITY = 10_000;
  /** Above this many, a new answer first drops the expired ones. */
  private static final int SWEEP_ABOVE = 1_000;

  private record Answer(OnboardingView view, long atNanos) {}

  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final LongSupplier nanos;

  UpdateAnswers() {
    this(System::nanoTime);
  }

  /** @param nanos the monotonic clock, in nanoseconds (tests give their own) */
  UpdateAnswers(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** Keeps a running onboarding's answered view; an ended one (with an outcome) is not kept. */
  void put(String onboardingId, OnboardingView view) {
    if (view == null || view.outcome() != null) {
      answers.remove(onboardingId);
      return;
    }
    long now = nanos.getAsLong();
    if (answers.size() > SWEEP_ABOVE) {
      answers.values().removeIf(a -> expired(a, now));
    }
    if (answers.size() < CAPACITY || answers.containsKey(onboardingId)) {
      answers.put(onboardingId, new Answer(view, now));
    }
  }

  /** The onboarding's answered view, once, if still fresh; else null. */
  OnboardingView take(String onboardingId) {
    Answer answer = answers.remove(onboardingId);
    return answer == null || expired(answer, nanos.getAsLong()) ? null : answer.view();
  }

  int size() {
    return answers.size();
  }

  private static boolean expired(Answer answer, long now) {
    return now - answer.atNanos() > FRESH.toNanos();
  }
}
