package io.mpconnect.persistence;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.jdbi.v3.core.Jdbi;

/**
 * Lets the roles that migrations create NOLOGIN (V11__roles.sql) log in, for a database that has
 * one superuser: the developer mode and tests connect the api and the worker through their own
 * roles this way, so every run proves their grants suffice. In production an operator does the
 * same by hand (docs/security.md).
 */
public final class LoginRoles {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A password of 32 hex digits. */
  public static String newPassword() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * {@code ALTER ROLE role LOGIN PASSWORD password}, through {@code owner}'s connections (which
   * need CREATEROLE, or to be superuser).
   */
  public static void allowLogin(Jdbi owner, String role, String password) {
    // DDL takes no bind parameters: both are checked to be plain words instead.
    if (!role.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain role name: " + role);
    }
    if (!password.matches("[A-Za-z0-9_-]{16,128}")) {
      throw new IllegalArgumentException("passwords here are 16+ letters and digits");
    }
    owner.useHandle(h -> h.execute("ALTER ROLE " + role + " LOGIN PASSWORD '" + password + "'"));
  }

  private LoginRoles() {}
}
