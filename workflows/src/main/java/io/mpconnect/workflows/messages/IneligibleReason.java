package io.mpconnect.workflows.messages;

/** Why an organization of the signed-in user cannot be connected to the AWS subscription. */
public enum IneligibleReason {
  NOT_OWNER,
  NOT_STARTER_PLAN,
  ALREADY_LINKED
}
