package io.mpconnect.persistence.metering;

/** A pending record's place in the sending order: what a call is planned from. */
public record PendingKey(long id, String productCode, String dimension) {}
