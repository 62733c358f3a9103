package io.mpconnect.persistence;

import java.time.Instant;
import java.util.UUID;

/** A person using the product. {@code email} and {@code displayName} may be null. */
public record User(UUID id, String email, String displayName, Instant createdAt) {}
