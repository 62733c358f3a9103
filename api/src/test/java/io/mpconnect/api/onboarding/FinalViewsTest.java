package io.mpconnect.api.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounded memory of ended onboardings' views, on its own. */
class FinalViewsTest {

  @Test
  void onlyAViewWithAnOutcomeIsKept() {
    FinalViews views = new FinalViews(10);
    OnboardingView waiting = view("onb-w", null);
    OnboardingView ended = view("onb-e", OnboardingOutcome.ABANDONED);

    assertThat(views.remember("onb-w", waiting)).isSameAs(waiting);
    assertThat(views.remember("onb-e", ended)).isSameAs(ended);
    views.remember("onb-n", null);

    assertThat(views.get("onb-w")).isNull();
    assertThat(views.get("onb-e")).isSameAs(ended);
    assertThat(views.get("onb-n")).isNull();
  }

  @Test
  void beyondItsBound_theLeastRecentlyReadGoesFirst() {
    FinalViews views = new FinalViews(2);
    views.remember("onb-a", view("onb-a", OnboardingOutcome.CONNECTED));
    views.remember("onb-b", view("onb-b", OnboardingOutcome.CONNECTED));
    // Read a: b is now the least recently used, though a was remembered first.
    assertThat(views.get("onb-a")).isNotNull();

    views.remember("onb-c", view("onb-c", OnboardingOutcome.CONNECTED));

    assertThat(views.get("onb-b")).isNull();
    assertThat(views.get("onb-a")).isNotNull();
    assertThat(views.get("onb-c")).isNotNull();
  }

  private static OnboardingView view(String id, OnboardingOutcome outcome) {
    return new OnboardingView(id,
        outcome == null ? OnboardingStep.AWAITING_ORGANIZATION : OnboardingStep.DONE, outcome,
        null, null, List.of(), null, null, null);
  }
}
