package io.mpconnect.persistence;

import java.util.UUID;

/**
 * One of a user's organizations as the sign-up page needs it.
 *
 * @param linked true when the organization already has a marketplace link
 */
public record UserOrganization(UUID id, String name, Plan plan, Role role, boolean linked) {}
