package io.mpconnect.workflows.messages;

/**
 * A sign-in identity as the api verified it from an OIDC ID token (never what the browser
 * claimed).
 *
 * @param provider the configured provider key, e.g. "google"
 * @param email may be null when the provider does not disclose one
 */
public record VerifiedIdentity(
    String provider, String issuer, String subject, String email, String displayName) {}
