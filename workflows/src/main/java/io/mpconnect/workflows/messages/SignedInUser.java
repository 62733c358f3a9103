package io.mpconnect.workflows.messages;

/** The user of the product that a verified identity belongs to, created on first sign-in. */
public record SignedInUser(String userId, String provider, String email, String displayName) {}
