package io.mpconnect.activities.accounts;

import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserOrganization;
import io.mpconnect.workflows.messages.IneligibleReason;
import io.mpconnect.workflows.messages.OrganizationOption;

/**
 * Which of a user's organizations may be connected to a marketplace subscription: only owners, only
 * on the free Starter plan, only when not linked yet. The first failing rule is the reason.
 */
final class Eligibility {
  static OrganizationOption of(UserOrganization organization) {
    IneligibleReason reason = reason(organization);
    return new OrganizationOption(
        organization.id().toString(),
        organization.name(),
        organization.plan().name(),
        organization.role().name(),
        reason == null,
        reason);
  }

  static IneligibleReason reason(UserOrganization organization) {
    if (organization.role() != Role.OWNER) {
      return IneligibleReason.NOT_OWNER;
    }
    if (organization.plan() != Plan.STARTER) {
      return IneligibleReason.NOT_STARTER_PLAN;
    }
    if (organization.linked()) {
      return IneligibleReason.ALREADY_LINKED;
    }
    return null;
  }

  private Eligibility() {}
}
