package io.mpconnect.workflows.messages;

/**
 * One of the signed-in user's organizations, with whether it can be connected.
 *
 * @param role OWNER or MEMBER
 * @param ineligibleReason null when eligible
 */
public record OrganizationOption(
    String id,
    String name,
    String plan,
    String role,
    boolean eligible,
    IneligibleReason ineligibleReason) {}
