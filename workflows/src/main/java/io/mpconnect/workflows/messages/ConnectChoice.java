package io.mpconnect.workflows.messages;

/**
 * The customer's choice: exactly one of an existing organization's id or a new organization's
 * name, and who chose.
 *
 * @param chooser the identity signed in to the browser session that sent the choice (the api
 *     takes it from its signed session cookie); the workflow refuses a choice whose chooser is
 *     not the identity its sign-in bound. Null in histories recorded before this field existed
 *     (validators do not run on replay, so they still replay).
 */
public record ConnectChoice(String organizationId, String newOrganizationName, IdentityRef chooser) {
  public ConnectChoice(String organizationId, String newOrganizationName) {
    this(organizationId, newOrganizationName, null);
  }

  public static ConnectChoice existing(String organizationId) {
    return new ConnectChoice(organizationId, null);
  }

  public static ConnectChoice create(String newOrganizationName) {
    return new ConnectChoice(null, newOrganizationName);
  }

  /** The same choice, made by {@code chooser}. */
  public ConnectChoice by(IdentityRef chooser) {
    return new ConnectChoice(organizationId, newOrganizationName, chooser);
  }
}
