package io.mpconnect.config;

/**
 * The fleet-wide pace of calls to AWS Marketplace, read by the worker. Both are Temporal's
 * server-side task-queue rate limits ({@code WorkerOptions.setMaxTaskQueueActivitiesPerSecond}):
 * they bound how many activities start per second on the queue across every worker polling it,
 * not per process. AWS's quotas are per API action, per account and region: 10 BatchMeterUsage
 * requests per second (AWS's "Service quotas for AWS Marketplace Metering API" page); that page
 * names no quota for ResolveCustomer, so its pace defaults to the same 10. (An earlier version
 * split one shared 10/s between the two, 2 and 8, which capped sign-ups at 2 per second.)
 *
 * <ul>
 *   <li>AWS_RESOLVE_CALLS_PER_SECOND (default 10): ResolveCustomer activities (one call each,
 *       retries included) started per second on {@code <TEMPORAL_TASK_QUEUE>-aws-resolve};
 *   <li>AWS_METERING_CALLS_PER_SECOND (default 10): BatchMeterUsage calls per second across the
 *       fleet: each call is one {@code sendBatch} activity on {@code
 *       <TEMPORAL_TASK_QUEUE>-aws-metering} (workflows of an earlier version send with activities
 *       that make several calls, paced inside the process by METERING_MAX_CALLS_PER_SECOND).
 * </ul>
 *
 * <p>A value that is not a number above 0 and at most {@value #MAX_PER_SECOND} stops start-up
 * with the variable's name.
 */
public record AwsCallSettings(double resolveCallsPerSecond, double meteringCallsPerSecond) {
  public static final double DEFAULT_RESOLVE_CALLS_PER_SECOND = 10;
  public static final double DEFAULT_METERING_CALLS_PER_SECOND = 10;
  /** AWS's quota per API action, account and region (BatchMeterUsage's, documented). */
  public static final double AWS_QUOTA_PER_SECOND = 10;
  /** Far above any AWS quota: a larger value is a typo. */
  public static final double MAX_PER_SECOND = 100;

  public AwsCallSettings {
    check("AWS_RESOLVE_CALLS_PER_SECOND", resolveCallsPerSecond, Double.toString(resolveCallsPerSecond));
    check("AWS_METERING_CALLS_PER_SECOND", meteringCallsPerSecond,
        Double.toString(meteringCallsPerSecond));
  }

  public static AwsCallSettings from(Env env) {
    return new AwsCallSettings(
        rate(env, "AWS_RESOLVE_CALLS_PER_SECOND", DEFAULT_RESOLVE_CALLS_PER_SECOND),
        rate(env, "AWS_METERING_CALLS_PER_SECOND", DEFAULT_METERING_CALLS_PER_SECOND));
  }

  /** True when either pace may exceed AWS's quota for its API (worth a warning, not an error). */
  public boolean exceedsAwsQuota() {
    return resolveCallsPerSecond > AWS_QUOTA_PER_SECOND
        || meteringCallsPerSecond > AWS_QUOTA_PER_SECOND;
  }

  private static double rate(Env env, String name, double fallback) {
    String value = env.get(name);
    if (value == null) {
      return fallback;
    }
    double rate;
    try {
      rate = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      rate = Double.NaN;
    }
    check(name, rate, value);
    return rate;
  }

  private static void check(String name, double rate, String value) {
    if (!(rate > 0 && rate <= MAX_PER_SECOND)) {
      throw new Env.ConfigException(name + " must be a number of calls per second above 0 and at"
          + " most " + (int) MAX_PER_SECOND + " (AWS allows about 10), got \"" + value + "\"");
    }
  }
}
