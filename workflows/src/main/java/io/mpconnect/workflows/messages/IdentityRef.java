package io.mpconnect.workflows.messages;

/**
 * Who a sign-in proved to be, without anything personal: the OIDC issuer and subject, which
 * together name one account at one provider for good (an e-mail address or a name can change).
 */
public record IdentityRef(String issuer, String subject) {
  public static IdentityRef of(VerifiedIdentity identity) {
    return identity == null ? null : new IdentityRef(identity.issuer(), identity.subject());
  }
}
