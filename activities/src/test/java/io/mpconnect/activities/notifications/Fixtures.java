package io.mpconnect.activities.notifications;

import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.UserRepository;
import io.mpconnect.workflows.messages.AbandonmentNotice;
import io.mpconnect.workflows.messages.ConfirmationRequest;
import io.mpconnect.workflows.messages.ReminderRequest;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** A user and an organization to confirm a connection to; a signed-in user to remind. */
final class Fixtures {
  private final Jdbi jdbi;

  Fixtures(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A reminder to a new signed-in user with this address (reminder 1 of 2). */
  ReminderRequest reminder(String onboardingId, String email) {
    return new ReminderRequest(
        onboardingId,
        user(email).toString(),
        "123456789012",
        1,
        2,
        java.time.Instant.parse("2026-12-04T06:30:00Z"));
  }

  /** The abandonment notice to a new signed-in user with this address. */
  AbandonmentNotice abandonment(String onboardingId, String email) {
    return new AbandonmentNotice(onboardingId, user(email).toString(), "123456789012");
  }

  private UUID user(String email) {
    return new UserRepository(jdbi)
        .signIn("https://idp.test", UUID.randomUUID().toString(), email, "Olivia Owner")
        .id();
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
