package io.mpconnect.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Who changed which link or plan, and when. Rows are written in the transaction of the change, so a
 * change without its audit row (or the reverse) cannot be committed.
 */
public final class AuditLog {
  private final Jdbi jdbi;

  public AuditLog(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * @param actor who did it, e.g. {@code user:<id>} or {@code aws-marketplace}; never an e-mail
   */
  public void record(
      String actor,
      AuditAction action,
      UUID organizationId,
      String productCode,
      String awsAccountId,
      Map<String, ?> details) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO audit_log
                      (actor, action, organization_id, product_code, aws_account_id, details)
                    VALUES (:actor, :action, :organizationId, :productCode, :awsAccountId,
                            CAST(:details AS jsonb))\
                    """)
                .bind("actor", actor)
                .bind("action", action.name())
                .bind("organizationId", organizationId)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .bind("details", Json.write(details))
                .execute());
  }

  /** Oldest first. */
  public List<AuditEntry> forOrganization(UUID organizationId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT * FROM audit_log WHERE organization_id = :organizationId ORDER BY id")
                .bind("organizationId", organizationId)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  /** Oldest first. */
  public List<AuditEntry> forCustomer(String productCode, String awsAccountId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM audit_log
                    WHERE product_code = :productCode AND aws_account_id = :awsAccountId
                    ORDER BY id\
                    """)
                .bind("productCode", productCode)
                .bind("awsAccountId", awsAccountId)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  private static AuditEntry map(ResultSet rs) throws SQLException {
    return new AuditEntry(
        rs.getLong("id"),
        Rows.instant(rs, "at"),
        rs.getString("actor"),
        AuditAction.valueOf(rs.getString("action")),
        Rows.uuid(rs, "organization_id"),
        rs.getString("product_code"),
        rs.getString("aws_account_id"),
        Json.read(rs.getString("details")));
  }
}
