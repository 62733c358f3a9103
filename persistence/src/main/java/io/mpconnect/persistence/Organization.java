package io.mpconnect.persistence;

import java.time.Instant;
import java.util.UUID;

/**
 * @param createdByOnboarding the onboarding that created it, or null
 */
public record Organization(
    UUID id,
    String name,
    Plan plan,
    BillingProvider billingProvider,
    String createdByOnboarding,
    Instant createdAt) {}
