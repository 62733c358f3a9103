package io.mpconnect.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the custom search attributes on a namespace unless they exist. Used by the developer
 * launcher and the end-to-end tests; production registers them once with the Temporal CLI (see
 * docker-compose.yml) or in Temporal Cloud's namespace settings.
 */
public final class SearchAttributeSetup {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeSetup.class);

  /** Returns the names that were added (empty when all existed already). */
  public static Set<String> ensureRegistered(WorkflowServiceStubs service, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      Set<String> existing =
          operator
              .blockingStub()
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
              .getCustomAttributesMap()
              .keySet();
      Map<String, IndexedValueType> missing = new LinkedHashMap<>();
      for (SearchAttributeKey<String> key : SearchAttributes.ALL) {
        if (!existing.contains(key.getName())) {
          missing.put(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        }
      }
      if (!missing.isEmpty()) {
        try {
          operator
              .blockingStub()
              .addSearchAttributes(
                  AddSearchAttributesRequest.newBuilder()
                      .setNamespace(namespace)
                      .putAllSearchAttributes(missing)
                      .build());
        } catch (StatusRuntimeException e) {
          // Another process registered them between our list and add.
          if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
            throw e;
          }
        }
        log.info("registered search attributes {}", missing.keySet());
      }
      return missing.keySet();
    } finally {
      operator.shutdown();
    }
  }

  private SearchAttributeSetup() {}
}
