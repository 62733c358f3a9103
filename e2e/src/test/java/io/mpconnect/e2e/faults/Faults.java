package io.mpconnect.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.e2e.harness.FaultReport;

/** The promises every fault test checks, the same way for every fault. */
final class Faults {
  static void assertClean(FaultReport.Result result, int started) {
    assertThat(result.started()).as("onboardings started").isEqualTo(started);
    assertThat(result.stuck()).as("stuck onboardings").isZero();
    assertThat(result.wrongOutcome()).as("onboardings with a wrong outcome").isZero();
    assertThat(result.duplicateLinks()).as("duplicate links or leaked organizations").isZero();
    assertThat(result.missingLinks()).as("connected customers without their link").isZero();
    assertThat(result.duplicateMails()).as("duplicate confirmation e-mails").isZero();
    assertThat(result.missingMails()).as("missing confirmation e-mails").isZero();
  }

  private Faults() {}
}
