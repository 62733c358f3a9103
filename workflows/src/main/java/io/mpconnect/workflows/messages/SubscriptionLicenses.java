package io.mpconnect.workflows.messages;

import java.util.List;

/**
 * A customer's licenses as its subscription workflow holds them, written to PostgreSQL for the
 * console, the support view and metering (which names each record by account and LicenseArn).
 *
 * @param organizationId the linked organization, or null while none is linked
 * @param sequence the subscription's change counter: a write older than the stored one is ignored
 */
public record SubscriptionLicenses(
    String productCode,
    String awsAccountId,
    String organizationId,
    List<License> licenses,
    long sequence) {}
