package io.mpconnect.config;

/**
 * How one process reaches PostgreSQL: DATABASE_URL (JDBC), and DATABASE_USER, DATABASE_PASSWORD,
 * the role it works as (the api's and the worker's each their own, see docs/security.md); and,
 * for the process that migrates the schema (the worker), {@link Migration}.
 */
public record DatabaseSettings(String jdbcUrl, String user, String password, Migration migration) {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/mpconnect";

  /** One role that both works and migrates (tests, a single-user development database). */
  public DatabaseSettings(String jdbcUrl, String user, String password) {
    this(jdbcUrl, user, password, Migration.as(user, password));
  }

  public static DatabaseSettings from(Env env) {
    String user = env.get("DATABASE_USER", "mpconnect");
    String password = env.secret("DATABASE_PASSWORD", "mpconnect");
    String migrationUser = env.get("DATABASE_MIGRATION_USER");
    return new DatabaseSettings(
        env.get("DATABASE_URL", DEFAULT_URL),
        user,
        password,
        new Migration(
            migrationUser == null ? user : migrationUser,
            // Without a migration user of its own, the working role migrates with its password.
            migrationUser == null ? password : env.secret("DATABASE_MIGRATION_PASSWORD", ""),
            role(env, "DATABASE_API_ROLE", Migration.DEFAULT_API_ROLE),
            role(env, "DATABASE_WORKER_ROLE", Migration.DEFAULT_WORKER_ROLE)));
  }

  /** The same database as another role (the developer mode's api and worker). */
  public DatabaseSettings as(String otherUser, String otherPassword) {
    return new DatabaseSettings(jdbcUrl, otherUser, otherPassword, migration);
  }

  /** True when migrations run under another role than the one the process works as. */
  public boolean migratesAsAnotherRole() {
    return !migration.user().equals(user);
  }

  private static String role(Env env, String name, String fallback) {
    String role = env.get(name, fallback);
    // Role names end up in GRANT statements (Flyway placeholders): identifiers only.
    if (!role.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new Env.ConfigException(
          name + " must be a lowercase PostgreSQL identifier, got \"" + role + "\"");
    }
    return role;
  }

  /**
   * Who runs the migrations (Flyway), and the roles they grant to.
   *
   * @param user DATABASE_MIGRATION_USER, the schema's owner; default DATABASE_USER
   * @param password DATABASE_MIGRATION_PASSWORD; default DATABASE_PASSWORD with DATABASE_USER
   * @param apiRole DATABASE_API_ROLE, the role migrations grant the api's privileges to
   * @param workerRole DATABASE_WORKER_ROLE, the role migrations grant the worker's privileges to
   */
  public record Migration(String user, String password, String apiRole, String workerRole) {
    public static final String DEFAULT_API_ROLE = "mpconnect_api";
    public static final String DEFAULT_WORKER_ROLE = "mpconnect_worker";

    public static Migration as(String user, String password) {
      return new Migration(user, password, DEFAULT_API_ROLE, DEFAULT_WORKER_ROLE);
    }

    @Override
    public String toString() {
      return "Migration[user=" + user + ", apiRole=" + apiRole + ", workerRole=" + workerRole + "]";
    }
  }

  @Override
  public String toString() {
    return "DatabaseSettings[jdbcUrl=" + jdbcUrl.replaceFirst("\\?.*", "") + ", user=" + user
        + (migratesAsAnotherRole() ? ", migrationUser=" + migration.user() : "") + "]";
  }
}
