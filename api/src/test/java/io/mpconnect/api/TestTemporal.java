package io.mpconnect.api;

import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;

/** The in-process Temporal server the api's tests run against: real time, our search attributes. */
public final class TestTemporal {
  /** Not started yet: register workers first. */
  public static TestWorkflowEnvironment withSearchAttributes() {
    TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    SearchAttributes.ALL.forEach(key -> temporal.registerSearchAttribute(
        key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    return temporal;
  }

  private TestTemporal() {}
}
