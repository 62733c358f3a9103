package io.mpconnect.persistence;

/** The support view of an organization. {@code link} is null when it is not linked. */
public record OrganizationDetails(Organization organization, MarketplaceLink link) {}
