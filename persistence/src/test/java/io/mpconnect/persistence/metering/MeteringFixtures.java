package io.mpconnect.persistence.metering;

import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Organizations linked to AWS customers, written straight into the tables. */
final class MeteringFixtures {
  static final String PRODUCT = "prod-metering";

  private static final java.util.concurrent.atomic.AtomicLong accounts =
      new java.util.concurrent.atomic.AtomicLong(100_000_000_000L);

  private final Jdbi jdbi;

  MeteringFixtures(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static String nextAccount() {
    return Long.toString(accounts.incrementAndGet());
  }

  /** A customer linked to a new organization, with the link in {@code status} since {@code since}. */
  Linked link(String account, String customerIdentifier, String status, Instant since) {
    UUID organizationId = UUID.randomUUID();
    jdbi.useTransaction(
        h -> {
          h.execute(
              "INSERT INTO organizations (id, name, plan, billing_provider)"
                  + " VALUES (?, ?, 'STANDARD', 'AWS_MARKETPLACE')",
              organizationId,
              "Org " + account);
          h.execute(
              "INSERT INTO marketplace_customers (product_code, aws_account_id, customer_identifier)"
                  + " VALUES (?, ?, ?)",
              PRODUCT,
              account,
              customerIdentifier);
          h.execute(
              "INSERT INTO marketplace_links (product_code, aws_account_id, organization_id,"
                  + " subscription_status, status_changed_at) VALUES (?, ?, ?, ?, ?)",
              PRODUCT,
              account,
              organizationId,
              status,
              Timestamps.utc(since));
        });
    return new Linked(organizationId, new CustomerKey(PRODUCT, account));
  }

  /**
   * A license row as the subscription workflow writes it: {@code status} (USABLE, ENDING, ENDED,
   * PENDING, FAILED), usable from {@code usableFrom} (null: not yet), revoked at {@code revokedAt}.
   */
  void license(Linked linked, String key, String licenseArn, String status, Instant usableFrom,
      Instant revokedAt) {
    jdbi.useHandle(
        h ->
            h.execute(
                "INSERT INTO marketplace_licenses (product_code, aws_account_id, license_key,"
                    + " license_arn, status, usable_from, revoked_at, organization_id, sequence)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
                linked.customer().productCode(),
                linked.customer().awsAccountId(),
                key,
                licenseArn,
                status,
                Timestamps.utc(usableFrom),
                Timestamps.utc(revokedAt),
                linked.organizationId()));
  }

  int count(String sql, Object... args) {
    return jdbi.withHandle(h -> h.select(sql, args).mapTo(Integer.class).one());
  }

  long sum(String sql, Object... args) {
    return jdbi.withHandle(h -> h.select(sql, args).mapTo(Long.class).one());
  }

  record Linked(UUID organizationId, CustomerKey customer) {
    NewUsage usage(String dimension, long quantity, Instant at, String key) {
      return new NewUsage(organizationId, customer, dimension, quantity, at, key);
    }
  }
}
