package io.mpconnect.workflows.messages;

/** An organization as the pages show it. {@code plan} is STARTER or STANDARD. */
public record OrganizationRef(String id, String name, String plan) {}
