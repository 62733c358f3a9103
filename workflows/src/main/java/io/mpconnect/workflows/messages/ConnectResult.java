package io.mpconnect.workflows.messages;

/** What the connect transaction found. */
public record ConnectResult(Status status, OrganizationRef organization, String message) {
  public enum Status {
    /** The customer is linked to the organization (now or by an earlier attempt). */
    CONNECTED,
    /** Another onboarding linked this AWS customer to another organization first. */
    CUSTOMER_ALREADY_LINKED,
    /** The organization can no longer be connected (linked elsewhere, plan or role changed). */
    ORGANIZATION_UNAVAILABLE
  }
}
