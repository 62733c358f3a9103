package io.mpconnect.api.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What an onboarding's static summary and details say in the Temporal UI. (The in-process test
 * server keeps no start metadata; SupportInspectionTest reads them on the real server.)
 */
class OnboardingSummaryTest {
  @Test
  void theSummaryNamesTheProductAndSaysTheAccountIsNotKnownYet() {
    assertThat(Onboardings.summary("prod-abc123"))
        .isEqualTo("AWS Marketplace onboarding · product prod-abc123 · AWS account not known yet"
            + " (see current details)");
    assertThat(Onboardings.summary(null))
        .isEqualTo("AWS Marketplace onboarding · AWS account not known yet (see current details)");
  }

  @Test
  void theDetailsSayWhatStartedItAndAwsOfferTypeNeverTheToken() {
    assertThat(Onboardings.details("free-trial"))
        .startsWith("Started by AWS Marketplace's *Set up your account*")
        .endsWith("; offer type `free-trial`");
    assertThat(Onboardings.details(null)).doesNotContain("offer type");
  }
}
