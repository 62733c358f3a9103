package io.mpconnect.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.EntitlementRepository.Entitlement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The billing page's entitlements table: per license, dimension, value, expiry; all escaped. */
class BillingPageEntitlementsTest {
  private static final Instant READ = Instant.parse("2026-06-03T10:15:30Z");

  @Test
  void everyEntitlementIsARow_andWhatAwsSentIsEscaped() {
    String html = BillingPage.entitlements(List.of(
        new Entitlement("prod-x", "111122223333", "arn:l-1", "arn:l-1", "users", "INTEGER", "10",
            Instant.parse("2027-03-01T00:00:00Z"), READ),
        new Entitlement("prod-x", "111122223333", "account", null, "<script>tier</script>",
            "STRING", "\"gold\" & <b>", null, READ)));

    assertThat(html).contains("id=\"entitlements\"")
        .contains("<td class=\"entitlement-license\">arn:l-1</td>")
        .contains("<td class=\"entitlement-dimension\">users</td>")
        .contains("<td class=\"entitlement-value\">10</td>")
        .contains("No expiry")
        .contains("Subscription")
        .doesNotContain("<script>")
        .doesNotContain("<b>")
        .contains("&lt;script&gt;tier&lt;/script&gt;");
    assertThat(html).contains("2027");
  }

  @Test
  void aUsageListingShowsNothing() {
    assertThat(BillingPage.entitlements(List.of())).isEmpty();
  }
}
