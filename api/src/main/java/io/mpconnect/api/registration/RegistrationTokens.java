package io.mpconnect.api.registration;

/** What a registration token must look like before it is worth a workflow. */
final class RegistrationTokens {
  static final int MAX_LENGTH = 4096;
  static final int MAX_OFFER_TYPE_LENGTH = 64;

  enum Problem { MISSING, TOO_LONG, NOT_PRINTABLE }

  /** Why the token is unusable, or null when it may be resolved with AWS. */
  static Problem problemWith(String token) {
    if (token == null || token.isBlank()) {
      return Problem.MISSING;
    }
    if (token.length() > MAX_LENGTH) {
      return Problem.TOO_LONG;
    }
    // AWS tokens are visible ASCII; a space here is usually an unencoded '+' (a different token).
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return Problem.NOT_PRINTABLE;
    }
    return null;
  }

  /** AWS's offer type (e.g. free-trial) when it looks like one, else null: it is only a hint. */
  static String offerType(String value) {
    if (value == null || value.isBlank() || value.length() > MAX_OFFER_TYPE_LENGTH
        || !value.matches("[A-Za-z0-9._-]+")) {
      return null;
    }
    return value;
  }

  private RegistrationTokens() {}
}
