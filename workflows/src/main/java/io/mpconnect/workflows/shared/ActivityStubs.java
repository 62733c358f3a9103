package io.mpconnect.workflows.shared;

import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.workflow.Workflow;

/**
 * Activity stubs made per call, so each activity in the history (and the Temporal UI) says what
 * it was for; the timeouts and retries stay the ones the workflow declares.
 */
public final class ActivityStubs {
  public static <T> T summarized(Class<T> activities, ActivityOptions options, String summary) {
    return Workflow.newActivityStub(
        activities, ActivityOptions.newBuilder(options).setSummary(summary).build());
  }

  /**
   * A local activity stub whose marker event carries the summary (the Temporal UI shows it on the
   * marker as it shows a scheduled activity's).
   */
  public static <T> T summarizedLocal(
      Class<T> activities, LocalActivityOptions options, String summary) {
    return Workflow.newLocalActivityStub(
        activities, LocalActivityOptions.newBuilder(options).setSummary(summary).build());
  }

  private ActivityStubs() {}
}
