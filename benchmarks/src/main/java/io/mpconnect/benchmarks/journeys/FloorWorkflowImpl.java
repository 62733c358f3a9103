package io.mpconnect.benchmarks.journeys;

import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class FloorWorkflowImpl implements FloorWorkflow {
  private final Steps steps = Workflow.newActivityStub(Steps.class,
      ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());
  private boolean resolved;
  private String user;
  private String organization;
  /** With the onboarding's search attribute upserts (10 on its connected path), or without. */
  private boolean visible;

  @Override
  public String run(String id) {
    visible = id.startsWith(VISIBLE);
    mark("RESOLVING_CUSTOMER");
    steps.step("resolve");
    mark("RESOLVED");
    steps.step("register");
    mark("AWAITING_AUTHENTICATION");
    resolved = true;
    Workflow.await(Duration.ofHours(1), () -> user != null);
    Workflow.await(Duration.ofHours(1), () -> organization != null);
    steps.step("link");
    mark("CONFIRMING");
    steps.step("confirm");
    mark("DONE");
    mark("CONNECTED");
    Workflow.await(Workflow::isEveryHandlerFinished);
    return organization;
  }

  /** Marks the run as one with search attribute upserts. */
  static final String VISIBLE = "visible:";

  private void mark(String step) {
    if (visible) {
      Workflow.upsertTypedSearchAttributes(SearchAttributes.ONBOARDING_STEP.valueSet(step));
    }
  }

  @Override
  public String authenticate(String user) {
    Workflow.await(() -> resolved);
    steps.step("sign-in");
    mark("AWAITING_ORGANIZATION");
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
    mark("CONNECTING");
    steps.step("connect");
    mark("CONNECTED_ORGANIZATION");
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
