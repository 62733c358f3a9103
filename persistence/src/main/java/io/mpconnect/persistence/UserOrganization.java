package io.mpconnect.persistence;

import java.util.UUID;

/**
 * One of a user's organizations as the sign-up page needs it.
 *
 * @param linkedAwsAccount the AWS account of its marketplace link, or null when it has none
 * @param linkStatus the subscription status of that link, or null when it has none
 */
public record UserOrganization(
    UUID id, String name, Plan plan, Role role, String linkedAwsAccount, LinkStatus linkStatus) {

  /** True when the organization already has a marketplace link (of any status). */
  public boolean linked() {
    return linkedAwsAccount != null;
  }
}
