package io.mpconnect.activities.entitlements;

import io.mpconnect.activities.aws.EntitlementClient;
import io.mpconnect.activities.aws.EntitlementClient.EntitlementServiceException;
import io.mpconnect.persistence.EntitlementRepository;
import io.mpconnect.workflows.activities.EntitlementActivities;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.EntitlementLine;
import io.mpconnect.workflows.messages.EntitlementSummary;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a customer's entitlements with GetEntitlements and stores them per license. Throttling,
 * AWS 5xx and network errors are thrown as they are (retried under the workflow's policy); an
 * invalid request and a refused caller are non-retryable, named failures.
 */
public final class EntitlementActivitiesImpl implements EntitlementActivities {
  private static final Logger log = LoggerFactory.getLogger(EntitlementActivitiesImpl.class);

  private final EntitlementClient client;
  private final EntitlementRepository repository;
  private final Clock clock;

  public EntitlementActivitiesImpl(
      EntitlementClient client, EntitlementRepository repository, Clock clock) {
    this.client = client;
    this.repository = repository;
    this.clock = clock;
  }

  public EntitlementActivitiesImpl(EntitlementClient client, EntitlementRepository repository) {
    this(client, repository, Clock.systemUTC());
  }

  @Override
  public EntitlementSummary refreshEntitlements(
      String productCode, String awsAccountId, String licenseArn) {
    if (productCode == null || awsAccountId == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a product code and an AWS account are required", FailureTypes.INVALID_INPUT);
    }
    List<EntitlementLine> lines;
    try {
      lines = client.getEntitlements(productCode, awsAccountId, licenseArn);
    } catch (EntitlementServiceException e) {
      throw classify(e);
    }
    Instant readAt = clock.instant();
    repository.replace(
        productCode,
        awsAccountId,
        licenseArn,
        lines.stream()
            .filter(l -> l.dimension() != null)
            .map(l -> new EntitlementRepository.Line(l.dimension(), l.valueType(), l.value(), l.expiresAt()))
            .toList(),
        readAt);
    Instant latest = null;
    boolean anyWithoutExpiry = false;
    for (EntitlementLine line : lines) {
      if (line.expiresAt() == null) {
        anyWithoutExpiry = true;
      } else if (latest == null || line.expiresAt().isAfter(latest)) {
        latest = line.expiresAt();
      }
    }
    log.info("entitlements of {} / {}: {} read", awsAccountId,
        licenseArn == null ? "(account)" : licenseArn, lines.size());
    return new EntitlementSummary(licenseArn, lines.size(), latest, anyWithoutExpiry, readAt);
  }

  static RuntimeException classify(EntitlementServiceException e) {
    if (e.retryable()) {
      // Retried by Temporal, with backoff, under the workflow's activity options.
      return ApplicationFailure.newFailure(e.getMessage(), e.type());
    }
    if (e.invalidParameter()) {
      return ApplicationFailure.newNonRetryableFailure(e.getMessage(), INVALID_PARAMETER);
    }
    return ApplicationFailure.newNonRetryableFailure(e.getMessage(), ACCESS_DENIED);
  }
}
