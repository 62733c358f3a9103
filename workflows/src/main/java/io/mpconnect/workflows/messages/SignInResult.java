package io.mpconnect.workflows.messages;

import java.util.List;

/** The user behind a verified identity and their organizations with eligibility. */
public record SignInResult(SignedInUser user, List<OrganizationOption> organizations) {}
