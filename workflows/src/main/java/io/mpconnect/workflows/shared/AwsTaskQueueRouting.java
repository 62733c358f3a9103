package io.mpconnect.workflows.shared;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import io.temporal.workflow.Workflow;
import java.util.Optional;

/**
 * Schedules the activities that call AWS on their dedicated, rate-limited task queues (see {@link
 * TaskQueues}), whichever workflow schedules them: OnboardingWorkflow's ResolveCustomer,
 * MeteringWorkflow's and FinalFlushWorkflow's BatchMeterUsage sends. Installed on the worker
 * factory ({@code WorkerFactoryOptions.setWorkerInterceptors}); an activity whose options already
 * name a task queue is left alone.
 *
 * <p>Deterministic: the queue is derived from the workflow's own task queue. Replay compares an
 * activity's id and type with the history, never its task queue, so histories recorded before this
 * routing replay unchanged (checked by {@code AwsTaskQueueRoutingReplayTest}); their activities
 * already scheduled on the main queue are served there by the worker's main-queue registrations.
 *
 * <p>A worker without this interceptor (the workflow tests, the api's tests) runs every activity on
 * the workflow's own queue, as before.
 */
public final class AwsTaskQueueRouting extends WorkerInterceptorBase {
  @Override
  public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
    return new WorkflowInboundCallsInterceptorBase(next) {
      @Override
      public void init(WorkflowOutboundCallsInterceptor outboundCalls) {
        super.init(new Outbound(outboundCalls));
      }
    };
  }

  private static final class Outbound extends WorkflowOutboundCallsInterceptorBase {
    Outbound(WorkflowOutboundCallsInterceptor next) {
      super(next);
    }

    @Override
    public <R> ActivityOutput<R> executeActivity(ActivityInput<R> input) {
      ActivityOptions options = input.getOptions();
      if (options == null || options.getTaskQueue() != null) {
        return super.executeActivity(input);
      }
      Optional<String> queue =
          TaskQueues.dedicatedQueue(input.getActivityName(), Workflow.getInfo().getTaskQueue());
      if (queue.isEmpty()) {
        return super.executeActivity(input);
      }
      return super.executeActivity(
          new ActivityInput<>(
              input.getActivityName(),
              input.getResultClass(),
              input.getResultType(),
              input.getArgs(),
              ActivityOptions.newBuilder(options).setTaskQueue(queue.get()).build(),
              input.getHeader()));
    }
  }
}
