package io.mpconnect.activities.notifications;

import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** A user and an organization to confirm a connection to. */
final class Fixtures {
  private final Jdbi jdbi;

  Fixtures(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  ConfirmationRequest confirmation(String onboardingId, String email) {
    UUID user =
        new UserRepository(jdbi)
            .signIn("https://idp.test", UUID.randomUUID().toString(), email, "Olivia Owner")
            .id();
    UUID org = UUID.randomUUID();
    new OrganizationRepository(jdbi).insertIfAbsent(org, "Acme Analytics", Plan.STANDARD);
    return new ConfirmationRequest(
        onboardingId,
        user.toString(),
        new OrganizationRef(org.toString(), "Acme Analytics", "STANDARD"),
        new ResolvedCustomer("prod-test", "123456789012", "cust-1"));
  }
}
