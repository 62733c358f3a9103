package io.mpconnect.persistence.metering;

/** An AWS Marketplace customer as the schema keys it: (ProductCode, CustomerAWSAccountId). */
public record CustomerKey(String productCode, String awsAccountId) {}
