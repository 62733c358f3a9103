package io.mpconnect.activities.notifications;

import java.util.regex.Pattern;

/** Mail servers quote addresses in their errors; we keep those out of logs and the outbox. */
final class Redaction {
  private static final Pattern ADDRESS = Pattern.compile("[^\\s<>\"'(),;:]+@[^\\s<>\"'(),;:]+");

  static String withoutAddresses(String text) {
    return text == null ? null : ADDRESS.matcher(text).replaceAll("[address]");
  }

  private Redaction() {}
}
