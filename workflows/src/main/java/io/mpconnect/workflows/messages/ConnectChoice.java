package io.mpconnect.workflows.messages;

/**
 * The customer's choice: exactly one of an existing organization's id or a new organization's
 * name.
 */
public record ConnectChoice(String organizationId, String newOrganizationName) {
  public static ConnectChoice existing(String organizationId) {
    return new ConnectChoice(organizationId, null);
  }

  public static ConnectChoice create(String newOrganizationName) {
    return new ConnectChoice(null, newOrganizationName);
  }
}
