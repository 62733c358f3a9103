package io.mpconnect.workflows.messages;

/**
 * One of the signed-in user's organizations, with whether it can be connected.
 *
 * @param role OWNER or MEMBER
 * @param ineligibleReason null when eligible
 * @param linkedAwsAccount the AWS account the organization is already connected to, or null; last,
 *     so that histories written before it existed read it as null
 */
public record OrganizationOption(
    String id,
    String name,
    String plan,
    String role,
    boolean eligible,
    IneligibleReason ineligibleReason,
    String linkedAwsAccount) {

  /** An organization connected to no AWS account. */
  public OrganizationOption(
      String id,
      String name,
      String plan,
      String role,
      boolean eligible,
      IneligibleReason ineligibleReason) {
    this(id, name, plan, role, eligible, ineligibleReason, null);
  }
}
