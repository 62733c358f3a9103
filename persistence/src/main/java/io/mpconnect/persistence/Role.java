package io.mpconnect.persistence;

/** A user's role in an organization; only owners may connect it to a marketplace. */
public enum Role {
  OWNER,
  MEMBER
}
