package io.mpconnect.benchmarks.journeys;

import io.temporal.activity.ActivityInterface;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The engine's floor for one journey: the same number of activities (6) and Updates with
 * validators (2) as an onboarding that connects, in the same order, doing nothing else. No HTTP,
 * no OIDC, no database, no search attributes: what Temporal alone costs.
 */
@WorkflowInterface
public interface FloorWorkflow {
  @WorkflowMethod
  String run(String id);

  @UpdateMethod
  String authenticate(String user);

  @UpdateValidatorMethod(updateName = "authenticate")
  void validateAuthenticate(String user);

  @UpdateMethod
  String choose(String organization);

  @UpdateValidatorMethod(updateName = "choose")
  void validateChoose(String organization);

  /** Six no-op activities standing for resolve, register, sign-in, connect, link, confirm. */
  @ActivityInterface
  interface Steps {
    String step(String name);
  }
}
