package io.mpconnect.config;

/** DATABASE_URL (JDBC), DATABASE_USER, DATABASE_PASSWORD. */
public record DatabaseSettings(String jdbcUrl, String user, String password) {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/mpconnect";

  public static DatabaseSettings from(Env env) {
    return new DatabaseSettings(
        env.get("DATABASE_URL", DEFAULT_URL),
        env.get("DATABASE_USER", "mpconnect"),
        env.secret("DATABASE_PASSWORD", "mpconnect"));
  }

  @Override
  public String toString() {
    return "DatabaseSettings[jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}
