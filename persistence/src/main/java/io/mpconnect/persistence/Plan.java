package io.mpconnect.persistence;

/** An organization's plan: the free Starter plan, or the paid Standard plan. */
public enum Plan {
  STARTER,
  STANDARD
}
