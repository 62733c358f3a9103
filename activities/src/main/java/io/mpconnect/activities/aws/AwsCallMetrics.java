package io.mpconnect.activities.aws;

/** Counts AWS call errors by operation and type; the worker binds it to its metrics registry. */
@FunctionalInterface
public interface AwsCallMetrics {
  AwsCallMetrics NONE = (operation, type) -> {};

  void error(String operation, String type);
}
