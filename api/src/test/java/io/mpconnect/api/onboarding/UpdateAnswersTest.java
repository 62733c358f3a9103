package io.mpconnect.api.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The one-read memory of Updates' answers, on its own, with a clock the test moves. */
class UpdateAnswersTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final UpdateAnswers answers = new UpdateAnswers(now::get);

  @Test
  void anAnswerIsServedOnce() {
    OnboardingView signedIn = view("onb-a", null);
    answers.put("onb-a", signedIn);

    assertThat(answers.take("onb-b")).isNull();
    assertThat(answers.take("onb-a")).isSameAs(signedIn);
    assertThat(answers.take("onb-a")).as("the next read asks the workflow").isNull();
  }

  @Test
  void anAnswerOlderThanFresh_isNotServed() {
    answers.put("onb-a", view("onb-a", null));
    answers.put("onb-b", view("onb-b", null));

    now.addAndGet(UpdateAnswers.FRESH.toNanos());
    assertThat(answers.take("onb-a")).as("exactly FRESH old").isNotNull();
    now.addAndGet(1);
    assertThat(answers.take("onb-b")).isNull();
  }

  @Test
  void aNewerAnswerReplacesTheOlder_andAnEndedOneClearsIt() {
    OnboardingView first = view("onb-a", null);
    OnboardingView second = view("onb-a", null);
    answers.put("onb-a", first);
    answers.put("onb-a", second);
    assertThat(answers.take("onb-a")).isSameAs(second);

    answers.put("onb-a", first);
    answers.put("onb-a", view("onb-a", OnboardingOutcome.CONNECTED));
    assertThat(answers.take("onb-a")).as("ended views are FinalViews' business").isNull();
    answers.put("onb-n", null);
    assertThat(answers.take("onb-n")).isNull();
  }

  @Test
  void answersNobodyReads_areBounded_andTheExpiredAreSweptFirst() {
    for (int i = 0; i < UpdateAnswers.CAPACITY; i++) {
      answers.put("onb-" + i, view("onb-" + i, null));
    }
    answers.put("onb-over", view("onb-over", null));
    assertThat(answers.size()).isEqualTo(UpdateAnswers.CAPACITY);
    assertThat(answers.take("onb-over")).as("full of fresh answers: not kept").isNull();

    now.addAndGet(UpdateAnswers.FRESH.toNanos() + 1);
    OnboardingView late = view("onb-late", null);
    answers.put("onb-late", late);

    assertThat(answers.size()).as("the expired were swept").isEqualTo(1);
    assertThat(answers.take("onb-late")).isSameAs(late);
  }

  private static OnboardingView view(String id, OnboardingOutcome outcome) {
    return new OnboardingView(id,
        outcome == null ? OnboardingStep.AWAITING_ORGANIZATION : OnboardingStep.DONE, outcome,
        null, null, List.of(), null, null, null);
  }
}
