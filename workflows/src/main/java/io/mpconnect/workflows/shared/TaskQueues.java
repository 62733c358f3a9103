package io.mpconnect.workflows.shared;

import io.mpconnect.workflows.activities.MarketplaceActivities;
import io.mpconnect.workflows.metering.MeteringSenderActivities;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.common.metadata.POJOActivityMethodMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The task queues, named in one place. Everything runs on the main queue ({@code
 * TEMPORAL_TASK_QUEUE}) except the activities that call AWS, which run on queues of their own so
 * that Temporal's server-side task-queue rate limit ({@code
 * WorkerOptions.setMaxTaskQueueActivitiesPerSecond}, shared by every worker polling the queue)
 * paces them across the whole fleet, under AWS's quota of about 10 calls per second per account
 * and region:
 *
 * <ul>
 *   <li>{@code <main>-aws-resolve}: {@link MarketplaceActivities} (ResolveCustomer);
 *   <li>{@code <main>-aws-metering}: {@link MeteringSenderActivities} (BatchMeterUsage).
 * </ul>
 *
 * <p>Workflows do not name these queues themselves: {@link AwsTaskQueueRouting}, installed on the
 * worker, schedules the activity types listed in {@link #ROUTES} there (derived from the workflow's
 * own queue, so deterministic), wherever a workflow schedules them.
 */
public final class TaskQueues {
  public static final String AWS_RESOLVE_SUFFIX = "-aws-resolve";
  public static final String AWS_METERING_SUFFIX = "-aws-metering";

  /** The activity interfaces that call AWS, and the queue each runs on. */
  static final List<Route> ROUTES =
      List.of(
          new Route(MarketplaceActivities.class, TaskQueues::awsResolve),
          new Route(MeteringSenderActivities.class, TaskQueues::awsMetering));

  private static final Map<String, UnaryOperator<String>> BY_ACTIVITY_TYPE = byActivityType();

  /** The queue of ResolveCustomer for workers and workflows on {@code mainQueue}. */
  public static String awsResolve(String mainQueue) {
    return mainQueue + AWS_RESOLVE_SUFFIX;
  }

  /** The queue of BatchMeterUsage for workers and workflows on {@code mainQueue}. */
  public static String awsMetering(String mainQueue) {
    return mainQueue + AWS_METERING_SUFFIX;
  }

  /**
   * The dedicated queue of an activity type scheduled by a workflow on {@code mainQueue}, or empty
   * when the activity type runs on the main queue.
   */
  public static Optional<String> dedicatedQueue(String activityType, String mainQueue) {
    UnaryOperator<String> route = BY_ACTIVITY_TYPE.get(activityType);
    return route == null ? Optional.empty() : Optional.of(route.apply(mainQueue));
  }

  /** Activity type names of an interface, as Temporal registers them (name prefix included). */
  public static List<String> activityTypes(Class<?> activityInterface) {
    return POJOActivityInterfaceMetadata.newInstance(activityInterface).getMethodsMetadata().stream()
        .map(POJOActivityMethodMetadata::getActivityTypeName)
        .toList();
  }

  private static Map<String, UnaryOperator<String>> byActivityType() {
    Map<String, UnaryOperator<String>> routes = new HashMap<>();
    for (Route route : ROUTES) {
      for (String type : activityTypes(route.activityInterface())) {
        routes.put(type, route.queue());
      }
    }
    return Map.copyOf(routes);
  }

  record Route(Class<?> activityInterface, UnaryOperator<String> queue) {}

  private TaskQueues() {}
}
