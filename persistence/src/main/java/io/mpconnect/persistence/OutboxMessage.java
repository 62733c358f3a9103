package io.mpconnect.persistence;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A notification waiting in (or delivered from) the outbox. */
public record OutboxMessage(
    long id,
    String dedupeKey,
    String kind,
    UUID recipientUserId,
    UUID organizationId,
    Map<String, Object> payload,
    int attempts,
    Instant nextAttemptAt,
    Instant sentAt,
    Instant failedAt,
    String lastError) {}
