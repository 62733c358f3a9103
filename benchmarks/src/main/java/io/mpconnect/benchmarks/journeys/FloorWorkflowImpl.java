package io.mpconnect.benchmarks.journeys;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class FloorWorkflowImpl implements FloorWorkflow {
  private final Steps steps = Workflow.newActivityStub(Steps.class,
      ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());
  private boolean resolved;
  private String user;
  private String organization;

  @Override
  public String run(String id) {
    steps.step("resolve");
    steps.step("register");
    resolved = true;
    Workflow.await(Duration.ofHours(1), () -> user != null);
    Workflow.await(Duration.ofHours(1), () -> organization != null);
    steps.step("link");
    steps.step("confirm");
    Workflow.await(Workflow::isEveryHandlerFinished);
    return organization;
  }

  @Override
  public String authenticate(String user) {
    Workflow.await(() -> resolved);
    steps.step("sign-in");
    this.user = user;
    return user;
  }

  @Override
  public void validateAuthenticate(String user) {
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("no user");
    }
  }

  @Override
  public String choose(String organization) {
    steps.step("connect");
    this.organization = organization;
    return organization;
  }

  @Override
  public void validateChoose(String organization) {
    if (user == null || this.organization != null) {
      throw new IllegalStateException("not waiting for a choice");
    }
  }

  /** The activities: nothing at all. */
  public static final class NoOpSteps implements Steps {
    @Override
    public String step(String name) {
      return name;
    }
  }
}
