package io.mpconnect.workflows.metering;

import java.time.Instant;

/**
 * A final flush after aggregation.
 *
 * @param awsAccountId the customer's account, or null when the customer is unknown here (no
 *     usage can exist then: nothing to send)
 * @param pending the customer's records still to be sent (of any hour)
 * @param giveUpAt when the flush stops trying; records left then are sent by the hourly runs
 */
public record FlushPlan(
    String productCode, String awsAccountId, int created, int pending, Instant giveUpAt) {}
