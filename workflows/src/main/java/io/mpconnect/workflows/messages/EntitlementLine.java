package io.mpconnect.workflows.messages;

import java.time.Instant;

/**
 * One entitlement as AWS's GetEntitlements returns it and the product stores it: one dimension of
 * one license, its value (exactly one of AWS's IntegerValue, DoubleValue, BooleanValue,
 * StringValue, rendered as text) and its expiry.
 *
 * @param licenseArn the license (null: the account's, on a legacy listing)
 * @param valueType INTEGER, DOUBLE, BOOLEAN or STRING (null when AWS sent no value)
 * @param expiresAt AWS's ExpirationDate, or null
 */
public record EntitlementLine(
    String productCode,
    String awsAccountId,
    String licenseArn,
    String dimension,
    String valueType,
    String value,
    Instant expiresAt) {}
