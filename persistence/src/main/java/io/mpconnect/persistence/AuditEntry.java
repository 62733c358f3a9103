package io.mpconnect.persistence;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

public record AuditEntry(
    long id,
    Instant at,
    String actor,
    AuditAction action,
    UUID organizationId,
    String productCode,
    String awsAccountId,
    Map<String, Object> details) {}
