package io.mpconnect.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reading of configuration from environment variables. Every process reads its settings
 * through one of these, so the developer launcher and tests can hand in a map instead of the real
 * environment. A value that does not parse fails start-up with the variable's name.
 */
public final class Env {
  private final Map<String, String> values;

  public Env(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  /** The value, or null when unset or blank. */
  public String get(String name) {
    String value = values.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  /**
   * The value as set, blank included; null when unset. For the settings where set-but-empty says
   * "none" rather than "the default".
   */
  public String raw(String name) {
    return values.get(name);
  }

  public String get(String name, String fallback) {
    String value = get(name);
    return value == null ? fallback : value;
  }

  /**
   * What every placeholder in {@code .env.example} contains ({@code change-me-admin-token}, ...):
   * a secret still holding one was copied and never filled in.
   */
  public static final String PLACEHOLDER = "change-me";

  /**
   * A secret (password, token, key), or null when unset: refused when it is still a placeholder
   * of {@code .env.example}, which anyone who read the repository knows.
   */
  public String secret(String name) {
    String value = get(name);
    if (value != null && value.toLowerCase(Locale.ROOT).contains(PLACEHOLDER)) {
      throw new ConfigException(name + " still holds the placeholder of .env.example (\""
          + PLACEHOLDER + "...\"): set a random value of its own");
    }
    return value;
  }

  public String secret(String name, String fallback) {
    String value = secret(name);
    return value == null ? fallback : value;
  }

  public String required(String name) {
    String value = get(name);
    if (value == null) {
      throw new ConfigException(name + " must be set");
    }
    return value;
  }

  public int getInt(String name, int fallback) {
    String value = get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number, got \"" + value + "\"");
    }
  }

  public boolean getBoolean(String name, boolean fallback) {
    String value = get(name);
    if (value == null) {
      return fallback;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(name + " must be true or false, got \"" + value + "\"");
    };
  }

  /** A duration as ISO-8601 ({@code PT30M}) or a number with a unit: {@code 90s}, {@code 30m}, {@code 2h}, {@code 7d}. */
  public Duration getDuration(String name, Duration fallback) {
    String value = get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return parseDuration(value);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new ConfigException(
          name + " must be a duration such as 90s, 30m, 2h or PT1H, got \"" + value + "\"");
    }
  }

  /** A comma-separated list, trimmed, without empty items. */
  public List<String> getList(String name, List<String> fallback) {
    String value = get(name);
    if (value == null) {
      return fallback;
    }
    List<String> items = new ArrayList<>();
    for (String item : value.split(",")) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return List.copyOf(items);
  }

  /** A duration as {@link #getDuration} reads one; IllegalArgumentException when it is none. */
  public static Duration parseDuration(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (v.startsWith("p")) {
      return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
    }
    int split = 0;
    while (split < v.length() && Character.isDigit(v.charAt(split))) {
      split++;
    }
    if (split == 0 || split == v.length()) {
      throw new IllegalArgumentException(value);
    }
    long amount = Long.parseLong(v.substring(0, split));
    return switch (v.substring(split)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> throw new IllegalArgumentException(value);
    };
  }

  /** Configuration that cannot be used; the message names the variable. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }
}
