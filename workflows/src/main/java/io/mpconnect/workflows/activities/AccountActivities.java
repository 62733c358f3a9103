package io.mpconnect.workflows.activities;

import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.OrganizationOption;
import io.mpconnect.workflows.messages.OrganizationRef;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.mpconnect.workflows.messages.SignInResult;
import io.mpconnect.workflows.messages.VerifiedIdentity;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Users, organizations and marketplace links in PostgreSQL. Every method is idempotent. */
@ActivityInterface
public interface AccountActivities {
  /**
   * Records the marketplace customer (first seen, legacy identifier) and returns the organization
   * it is already linked to, or null.
   */
  OrganizationRef registerCustomer(ResolvedCustomer customer);

  /** Finds or creates the user of a verified identity and lists their organizations. */
  SignInResult signIn(VerifiedIdentity identity);

  /** The user's organizations with eligibility, read again (after a connect was refused). */
  List<OrganizationOption> listOrganizations(String userId);

  /** Links the customer to the chosen or a new organization in one transaction. */
  ConnectResult connect(ConnectCommand command);
}
