package io.mpconnect.persistence;

import io.mpconnect.persistence.metering.CustomerKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * When a customer's usage may be metered, from its licenses (table marketplace_licenses, written
 * only by the subscription workflow; this class only reads). A license meters usage stamped from
 * its {@code usable_from} until the end of AWS's final hour ({@code ended_at} + 1 h), and nothing
 * once it is revoked ({@code revoked_at}: License Deprovisioned, unsubscribe-success), whenever the
 * usage was stamped: AWS accepts no more usage for it. Usage of a customer with several licenses
 * is acceptable when at least one of them accepts it. A customer without any license row (a
 * subscription that has not written its licenses yet) has no windows: the caller keeps the link's
 * rule.
 */
public final class LicenseWindows {
  /** How long AWS accepts usage after a license ended (its final hour). */
  public static final Duration FINAL_HOUR = Duration.ofHours(1);

  private final Jdbi jdbi;

  public LicenseWindows(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** One license's window. */
  public record Window(
      String key,
      String licenseArn,
      MarketplaceLicense.Status status,
      Instant usableFrom,
      Instant endedAt,
      Instant revokedAt) {

    /** True once AWS accepts no more usage for this license (revoked, or ENDED). */
    public boolean revoked(Instant now) {
      return status == MarketplaceLicense.Status.ENDED
          || (revokedAt != null && !now.isBefore(revokedAt));
    }

    /** Whether usage stamped {@code timestamp}, arriving at {@code now}, is meterable here. */
    public boolean accepts(Instant timestamp, Instant now) {
      if (status == MarketplaceLicense.Status.FAILED || usableFrom == null || revoked(now)) {
        return false;
      }
      if (timestamp.isBefore(usableFrom)) {
        return false;
      }
      if (revokedAt != null && !timestamp.isBefore(revokedAt)) {
        return false;
      }
      return endedAt == null || timestamp.isBefore(endedAt.plus(FINAL_HOUR));
    }

    /** "license K: usable from A until B", as support and the product read it. */
    public String describe(Instant now) {
      StringBuilder text = new StringBuilder("license ").append(key).append(": ");
      if (status == MarketplaceLicense.Status.FAILED) {
        return text.append("failed, never usable").toString();
      }
      if (usableFrom == null) {
        text.append(revoked(now) ? "never usable" : "not usable yet");
      } else {
        text.append("usable from ").append(usableFrom);
      }
      if (revoked(now)) {
        text.append(revokedAt == null ? ", ended" : ", ended at " + revokedAt);
      } else if (endedAt != null) {
        text.append(" until ").append(endedAt.plus(FINAL_HOUR))
            .append(" (its final hour began at ").append(endedAt).append(')');
      }
      return text.toString();
    }
  }

  /** The license windows of these customers; a customer without license rows is absent. */
  public Map<CustomerKey, List<Window>> ofCustomers(Collection<CustomerKey> customers) {
    Map<CustomerKey, List<Window>> found = new HashMap<>();
    if (customers.isEmpty()) {
      return found;
    }
    List<String> products = new ArrayList<>();
    List<String> accounts = new ArrayList<>();
    for (CustomerKey customer : customers) {
      products.add(customer.productCode());
      accounts.add(customer.awsAccountId());
    }
    jdbi.useHandle(
        h ->
            h.createQuery(
                    """
                    SELECT l.product_code, l.aws_account_id, l.license_key, l.license_arn,
                           l.status, l.usable_from, l.ended_at, l.revoked_at
                    FROM marketplace_licenses l
                    JOIN unnest(CAST(:products AS text[]), CAST(:accounts AS text[]))
                      AS c(product_code, aws_account_id)
                      ON c.product_code = l.product_code AND c.aws_account_id = l.aws_account_id
                    ORDER BY l.usable_from NULLS LAST, l.license_key\
                    """)
                .bindArray("products", String.class, products)
                .bindArray("accounts", String.class, accounts)
                .map(
                    (rs, ctx) ->
                        Map.entry(
                            new CustomerKey(rs.getString("product_code"),
                                rs.getString("aws_account_id")),
                            new Window(
                                rs.getString("license_key"),
                                rs.getString("license_arn"),
                                MarketplaceLicense.Status.valueOf(rs.getString("status")),
                                Rows.instant(rs, "usable_from"),
                                Rows.instant(rs, "ended_at"),
                                Rows.instant(rs, "revoked_at"))))
                .forEach(
                    e -> found.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue())));
    return found;
  }

  /**
   * Why usage stamped {@code timestamp}, arriving at {@code now}, cannot be metered on any of
   * {@code windows} (about the organization when every license is revoked, else about the
   * timestamp: "is before ... (license K: usable from A)"); empty when one of them accepts it (or when there are no windows: the caller's
   * rule applies).
   */
  public static Optional<String> refusal(List<Window> windows, Instant timestamp, Instant now) {
    if (windows == null || windows.isEmpty()
        || windows.stream().anyMatch(w -> w.accepts(timestamp, now))) {
      return Optional.empty();
    }
    if (windows.stream().allMatch(w -> w.revoked(now))) {
      Optional<Instant> ended =
          windows.stream().map(Window::revokedAt).filter(t -> t != null)
              .max(Comparator.naturalOrder());
      return Optional.of("the AWS Marketplace subscription of this organization ended"
          + ended.map(t -> " at " + t).orElse("")
          + "; AWS accepts no more usage for it");
    }
    List<String> described = new ArrayList<>();
    windows.forEach(w -> described.add(w.describe(now)));
    boolean beforeEveryStart =
        windows.stream().allMatch(w -> w.usableFrom() == null || timestamp.isBefore(w.usableFrom()));
    String windowsText = " (" + String.join("; ", described) + ")";
    return Optional.of(
        beforeEveryStart
            ? "is before the organization's AWS Marketplace license became usable" + windowsText
                + "; AWS accepts no usage before a license starts"
            : "is outside every AWS Marketplace license of the organization" + windowsText);
  }
}
