package io.mpconnect.activities.accounts;

import io.mpconnect.persistence.Plan;
import io.mpconnect.persistence.Role;
import io.mpconnect.persistence.UserOrganization;
import io.mpconnect.workflows.messages.IneligibleReason;
import io.mpconnect.workflows.messages.OrganizationOption;

/**
 * Which of a user's organizations may be connected to a marketplace subscription: only when not
 * linked yet, only owners, only on the free Starter plan. The first failing rule is the reason.
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
        reason,
        organization.linkedAwsAccount());
  }

  static IneligibleReason reason(UserOrganization organization) {
    // Linked first: once AWS confirms, a linked organization is on the paid plan, and "not on the
    // Starter plan" would hide that it is already connected (and to which AWS account).
    if (organization.linked()) {
      return IneligibleReason.ALREADY_LINKED;
    }
    if (organization.role() != Role.OWNER) {
      return IneligibleReason.NOT_OWNER;
    }
    if (organization.plan() != Plan.STARTER) {
      return IneligibleReason.NOT_STARTER_PLAN;
    }
    return null;
  }

  private Eligibility() {}
}
