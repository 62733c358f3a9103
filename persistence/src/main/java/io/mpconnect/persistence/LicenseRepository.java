package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The licenses of AWS Marketplace customers (table marketplace_licenses). The customer's
 * subscription workflow is the only writer: {@link #save} stores the whole set it holds, in one
 * transaction, and ignores a write older than the newest one stored, so retries and late
 * activities are harmless. The console, the support view and metering read.
 */
public final class LicenseRepository {
  private static final String COLUMNS =
      """
      product_code, aws_account_id, license_key, license_arn, agreement_id, status, usable_from,
      ended_at, revoked_at, free_trial, offer_id, intent, end_reason, organization_id, sequence,
      updated_at
      """;

  private final Jdbi jdbi;

  public LicenseRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** One license as the workflow holds it (the workflows' License, without Temporal types). */
  public record Entry(
      String key,
      String licenseArn,
      String agreementId,
      MarketplaceLicense.Status status,
      Instant usableFrom,
      Instant endedAt,
      Instant revokedAt,
      Boolean freeTrial,
      String offerId,
      String intent,
      String endReason) {

    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(status, "status");
    }
  }

  /**
   * All the licenses of one customer as of one change of its subscription workflow.
   *
   * @param organizationId the linked organization, or null while none is
   * @param sequence the workflow's change counter: a write older than the stored one is ignored
   */
  public record LicenseSet(
      String productCode,
      String awsAccountId,
      UUID organizationId,
      List<Entry> licenses,
      long sequence) {

    public LicenseSet {
      Objects.requireNonNull(productCode, "productCode");
      Objects.requireNonNull(awsAccountId, "awsAccountId");
      licenses = licenses == null ? List.of() : List.copyOf(licenses);
      Set<String> keys = new HashSet<>();
      for (Entry entry : licenses) {
        if (!keys.add(entry.key())) {
          throw new IllegalArgumentException("license key " + entry.key() + " appears twice");
        }
      }
    }
  }

  /**
   * Stores the customer's licenses in one transaction: inserts or updates every license of the
   * set, and removes the customer's licenses the set no longer holds (the workflow merged or
   * dropped them). Idempotent: the same set again writes the same rows.
   *
   * @return false when a write with a newer sequence is already stored (nothing was written)
   */
  public boolean save(LicenseSet set) {
    return jdbi.inTransaction(
        h -> {
          // Serializes saves of one customer on this row and records the newest sequence, which
          // survives the removal of every license it wrote.
          boolean newest =
              h.createQuery(
                          """
                          INSERT INTO marketplace_license_writes
                            (product_code, aws_account_id, sequence)
                          VALUES (:productCode, :awsAccountId, :sequence)
                          ON CONFLICT (product_code, aws_account_id) DO UPDATE
                            SET sequence = EXCLUDED.sequence, updated_at = now()
                            WHERE marketplace_license_writes.sequence <= EXCLUDED.sequence
                          RETURNING sequence\
                          """)
                      .bind("productCode", set.productCode())
                      .bind("awsAccountId", set.awsAccountId())
                      .bind("sequence", set.sequence())
                      .mapTo(Long.class)
                      .findOne()
                      .isPresent();
          if (!newest) {
            return false;
          }
          for (Entry entry : set.licenses()) {
            upsert(h, set, entry);
          }
          List<String> keys = new ArrayList<>();
          set.licenses().forEach(e -> keys.add(e.key()));
          h.createUpdate(
                  """
                  DELETE FROM marketplace_licenses
                  WHERE product_code = :productCode AND aws_account_id = :awsAccountId
                    AND NOT (license_key = ANY(:keys)) AND sequence <= :sequence\
                  """)
              .bind("productCode", set.productCode())
              .bind("awsAccountId", set.awsAccountId())
              .bind("keys", keys.toArray(String[]::new))
              .bind("sequence", set.sequence())
              .execute();
          return true;
        });
  }

  /** The licenses of one customer, newest first (pending ones, with no start yet, first). */
  public List<MarketplaceLicense> forCustomer(String productCode, String awsAccountId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT " + COLUMNS
                        + """
                        FROM marketplace_licenses
                        WHERE product_code = :productCode AND aws_account_id = :awsAccountId
                        ORDER BY usable_from DESC NULLS FIRST, license_key\
                        """)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  /** The licenses written for an organization, newest first (pending ones first). */
  public List<MarketplaceLicense> forOrganization(UUID organizationId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT " + COLUMNS
                        + """
                        FROM marketplace_licenses
                        WHERE organization_id = :organizationId
                        ORDER BY usable_from DESC NULLS FIRST, product_code, aws_account_id,
                                 license_key\
                        """)
                .bind("organizationId", organizationId)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  private static void upsert(Handle h, LicenseSet set, Entry entry) {
    h.createUpdate(
            """
            INSERT INTO marketplace_licenses
              (product_code, aws_account_id, license_key, license_arn, agreement_id, status,
               usable_from, ended_at, revoked_at, free_trial, offer_id, intent, end_reason,
               organization_id, sequence)
            VALUES (:productCode, :awsAccountId, :key, :licenseArn, :agreementId, :status,
                    :usableFrom, :endedAt, :revokedAt, :freeTrial, :offerId, :intent, :endReason,
                    :organizationId, :sequence)
            ON CONFLICT (product_code, aws_account_id, license_key) DO UPDATE SET
              license_arn = EXCLUDED.license_arn,
              agreement_id = EXCLUDED.agreement_id,
              status = EXCLUDED.status,
              usable_from = EXCLUDED.usable_from,
              ended_at = EXCLUDED.ended_at,
              revoked_at = EXCLUDED.revoked_at,
              free_trial = EXCLUDED.free_trial,
              offer_id = EXCLUDED.offer_id,
              intent = EXCLUDED.intent,
              end_reason = EXCLUDED.end_reason,
              organization_id = EXCLUDED.organization_id,
              sequence = EXCLUDED.sequence,
              updated_at = now()
            WHERE marketplace_licenses.sequence <= EXCLUDED.sequence\
            """)
        .bind("productCode", set.productCode())
        .bind("awsAccountId", set.awsAccountId())
        .bind("key", entry.key())
        .bind("licenseArn", entry.licenseArn())
        .bind("agreementId", entry.agreementId())
        .bind("status", entry.status().name())
        .bind("usableFrom", utc(entry.usableFrom()))
        .bind("endedAt", utc(entry.endedAt()))
        .bind("revokedAt", utc(entry.revokedAt()))
        .bind("freeTrial", entry.freeTrial())
        .bind("offerId", entry.offerId())
        .bind("intent", entry.intent())
        .bind("endReason", entry.endReason())
        .bind("organizationId", set.organizationId())
        .bind("sequence", set.sequence())
        .execute();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  static MarketplaceLicense map(ResultSet rs) throws SQLException {
    long sequence = rs.getLong("sequence");
    Object freeTrial = rs.getObject("free_trial");
    return new MarketplaceLicense(
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        rs.getString("license_key"),
        rs.getString("license_arn"),
        rs.getString("agreement_id"),
        MarketplaceLicense.Status.valueOf(rs.getString("status")),
        Rows.instant(rs, "usable_from"),
        Rows.instant(rs, "ended_at"),
        Rows.instant(rs, "revoked_at"),
        freeTrial == null ? null : (Boolean) freeTrial,
        rs.getString("offer_id"),
        rs.getString("intent"),
        rs.getString("end_reason"),
        Rows.uuid(rs, "organization_id"),
        sequence,
        Rows.instant(rs, "updated_at"));
  }
}
