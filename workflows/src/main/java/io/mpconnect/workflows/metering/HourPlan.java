package io.mpconnect.workflows.metering;

import java.time.Instant;

/**
 * The hour's records after aggregation: counts only, the records stay in PostgreSQL.
 *
 * @param created records created by this aggregation (usage and zero records)
 * @param records all records of the hour
 * @param pending records still to be sent
 * @param giveUpAt after this the hour is out of the metering window: unsent records are expired
 */
public record HourPlan(
    Instant hour, int created, int zeroRecords, int usageClaimed, int records, int pending,
    Instant giveUpAt) {}
