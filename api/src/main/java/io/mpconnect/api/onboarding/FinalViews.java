package io.mpconnect.api.onboarding;

import io.mpconnect.workflows.messages.OnboardingView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The views of ended onboardings, as their workflow answered them (before the subscription's live
 * status is applied). A view with an outcome never changes again: the workflow sets the outcome
 * only in {@code finish}, just before its run ends. Asking a closed workflow again would make a
 * worker replay its whole history, and the sign-up page keeps polling an ended onboarding (e.g.
 * while AWS has not confirmed). Each api process has its own; a miss just queries.
 */
final class FinalViews {
  /**
   * Memory: a view is roughly 1 KB plus 0.3 KB per organization in the user's list (estimated from
   * its fields), so 10,000 views of users with ten organizations are some 40 MB of heap. The bound
   * trades memory against replays only: an evicted view is just queried again. A constant, as
   * nothing measured asks for another size.
   */
  static final int CAPACITY = 10_000;

  private final Map<String, OnboardingView> views;

  FinalViews() {
    this(CAPACITY);
  }

  FinalViews(int capacity) {
    // Access order: a page still being polled stays; the least recently read goes first.
    this.views = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, OnboardingView> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The onboarding's final view, or null when none is remembered. */
  synchronized OnboardingView get(String onboardingId) {
    return views.get(onboardingId);
  }

  /** Keeps {@code view} only when it is final (has an outcome); returns it either way. */
  synchronized OnboardingView remember(String onboardingId, OnboardingView view) {
    if (view != null && view.outcome() != null) {
      views.put(onboardingId, view);
    }
    return view;
  }
}
