package io.mpconnect.api;

import io.mpconnect.api.limits.LimitSettings;
import io.mpconnect.api.metering.MeteringApiSettings;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.Env;
import io.mpconnect.config.EventTrustSettings;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.workflows.shared.SupportText;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api's configuration. API_HOST, API_PORT, PUBLIC_BASE_URL, SESSION_SECRET,
 * ONBOARDING_AUTH_TIMEOUT, ONBOARDING_CHOICE_TIMEOUT, ONBOARDING_REMINDERS (see {@link
 * #reminders}), OIDC_PROVIDERS with OIDC_&lt;KEY&gt;_ISSUER,
 * _CLIENT_ID, _CLIENT_SECRET, _NAME, _EMAIL_FROM_SUBJECT; ADMIN_TOKEN, METRICS_TOKEN (when set,
 * {@code /metrics} needs it as a bearer token), VENDOR_NAME,
 * MARKETPLACE_LISTING_URL, DEV_MODE, ADMIN_API (see {@link #adminToken}); the TEMPORAL_*
 * settings; and DATABASE_URL, DATABASE_USER,
 * DATABASE_PASSWORD, which the console's pages read through a small read-only pool; and
 * MARKETPLACE_PRODUCT_CODE, which lifecycle events injected by hand must name, with
 * MARKETPLACE_PRODUCT_ID (the listing's {@code prod-...} id, which AWS's purchase agreement events
 * name instead) and MARKETPLACE_SELLER_ACCOUNT_ID (the {@code account} EventBridge events must
 * name; unset: not checked), and which of them are AWS's ({@link EventTrustSettings}:
 * MARKETPLACE_SNS_TOPIC_ARNS, MARKETPLACE_ACCEPT_UNSIGNED_EVENTS); and USAGE_TOKEN
 * with the METERING_* settings for usage intake ({@link MeteringApiSettings}); and the abuse
 * limits, RATE_LIMIT_*, ONBOARDING_STARTS_*, API_MAX_THREADS, API_MAX_QUEUED_REQUESTS
 * ({@link LimitSettings}); SUPPORT_EMAILS (who may decode payloads through the codec server)
 * and CODEC_CORS_ORIGIN (the Web UI origins that may call it).
 *
 * @param publicBaseUrl how browsers reach the api, without a trailing slash (redirect URIs,
 *     Secure cookies)
 * @param sessionSecret HMAC key of the session and sign-in cookies
 * @param reminders when a signed-in customer who has not chosen an organization is reminded by
 *     e-mail, each counted from the sign-in: increasing, each shorter than {@code
 *     organizationTimeout}; empty for none
 * @param sessionSecretGenerated true when SESSION_SECRET was unset and a random one is in use
 */
public record ApiSettings(
    String host,
    int port,
    String publicBaseUrl,
    TemporalSettings temporal,
    byte[] sessionSecret,
    boolean sessionSecretGenerated,
    Duration authenticationTimeout,
    Duration organizationTimeout,
    List<Duration> reminders,
    List<OidcProviderSettings> oidcProviders,
    String adminToken,
    String metricsToken,
    String vendorName,
    String listingUrl,
    boolean devMode,
    DatabaseSettings database,
    String productCode,
    String productId,
    String sellerAccountId,
    EventTrustSettings eventTrust,
    MeteringApiSettings metering,
    LimitSettings limits,
    Set<String> supportEmails,
    List<String> codecCorsOrigins) {

  private static final Logger log = LoggerFactory.getLogger(ApiSettings.class);
  /** The session key's minimum: 256 bits, HMAC-SHA256's own strength. */
  static final int MIN_SESSION_SECRET_BYTES = 32;
  /** How long a signed-in customer has to choose an organization, unless configured. */
  static final Duration DEFAULT_CHOICE_TIMEOUT = Duration.ofDays(3);
  /** The reminders unless configured: an hour and a day after the sign-in. */
  static final String DEFAULT_REMINDERS = "1h,1d";
  static final String REMINDERS_SETTING = "ONBOARDING_REMINDERS";

  public static ApiSettings from(Env env) {
    int port = env.getInt("API_PORT", 8080);
    String publicBaseUrl = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
    URI base = URI.create(publicBaseUrl);
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new Env.ConfigException("PUBLIC_BASE_URL must be an http or https URL");
    }
    String secret = env.secret("SESSION_SECRET");
    boolean generated = secret == null;
    byte[] key;
    if (generated) {
      key = new byte[32];
      new SecureRandom().nextBytes(key);
      log.warn(
          "SESSION_SECRET is not set: using a random one, so sessions will not survive a restart"
              + " (fine for development, set it in production)");
    } else {
      key = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      // The HMAC key of every session and CSRF token: a short one can be guessed offline.
      if (key.length < MIN_SESSION_SECRET_BYTES) {
        throw new Env.ConfigException("SESSION_SECRET must be at least "
            + MIN_SESSION_SECRET_BYTES + " bytes of random text, got " + key.length);
      }
    }
    Duration choiceTimeout = env.getDuration("ONBOARDING_CHOICE_TIMEOUT", DEFAULT_CHOICE_TIMEOUT);
    return new ApiSettings(
        env.get("API_HOST", "0.0.0.0"),
        port,
        publicBaseUrl.replaceAll("/+$", ""),
        TemporalSettings.from(env),
        key,
        generated,
        env.getDuration("ONBOARDING_AUTH_TIMEOUT", Duration.ofHours(1)),
        choiceTimeout,
        reminders(env, choiceTimeout),
        providers(env),
        adminToken(env),
        env.secret("METRICS_TOKEN"),
        env.get("VENDOR_NAME", "our product"),
        env.get("MARKETPLACE_LISTING_URL"),
        env.getBoolean("DEV_MODE", false),
        DatabaseSettings.from(env),
        env.get("MARKETPLACE_PRODUCT_CODE"),
        productId(env),
        sellerAccountId(env),
        env.get("MARKETPLACE_PRODUCT_CODE") == null ? null
            : EventTrustSettings.from(env, env.get("MARKETPLACE_PRODUCT_CODE")),
        MeteringApiSettings.from(env),
        LimitSettings.from(env),
        env.getList("SUPPORT_EMAILS", List.of()).stream()
            .map(email -> email.toLowerCase(Locale.ROOT)).collect(
                java.util.stream.Collectors.toUnmodifiableSet()),
        codecCorsOrigins(env));
  }

  /**
   * ONBOARDING_REMINDERS: comma-separated durations after the sign-in ({@code 1h,1d}, the
   * default); set but empty, or {@code none} (for docker compose, where an empty variable takes
   * the file's default): no reminders. Each must be positive, later than the one before and
   * shorter than ONBOARDING_CHOICE_TIMEOUT (a reminder after the sign-up ended would link to
   * nothing).
   */
  static List<Duration> reminders(Env env, Duration choiceTimeout) {
    String name = REMINDERS_SETTING;
    // Env.get treats blank as unset; here set-but-empty means "none", so ask the raw value.
    String value = env.raw(name);
    if (value == null) {
      value = DEFAULT_REMINDERS;
    } else if (value.strip().equalsIgnoreCase("none")) {
      return List.of();
    }
    List<Duration> reminders = new ArrayList<>();
    Duration previous = Duration.ZERO;
    String previousText = "";
    for (String item : value.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      Duration reminder;
      try {
        reminder = Env.parseDuration(item);
      } catch (RuntimeException e) {
        throw new Env.ConfigException(name + " must list durations such as 1h,1d (or be empty"
            + " or none for no reminders), got \"" + value.strip() + "\"");
      }
      if (reminder.isNegative() || reminder.isZero()) {
        throw new Env.ConfigException(name + " must list positive durations, got \""
            + item.strip() + "\"");
      }
      if (reminder.compareTo(previous) <= 0) {
        throw new Env.ConfigException(name + " must list each reminder later than the one before,"
            + " got \"" + item.strip() + "\" after \"" + previousText + "\"");
      }
      if (reminder.compareTo(choiceTimeout) >= 0) {
        throw new Env.ConfigException(name + " must list reminders shorter than"
            + " ONBOARDING_CHOICE_TIMEOUT (" + SupportText.duration(choiceTimeout) + "), got \""
            + item.strip() + "\": raise ONBOARDING_CHOICE_TIMEOUT or drop the reminder");
      }
      reminders.add(reminder);
      previous = reminder;
      previousText = item.strip();
    }
    return List.copyOf(reminders);
  }

  /** The Web UI's origins (scheme://host[:port]) that may call the codec server from a browser. */
  private static List<String> codecCorsOrigins(Env env) {
    List<String> origins = env.getList("CODEC_CORS_ORIGIN", List.of());
    for (String origin : origins) {
      if (!origin.matches("https?://[^/\\s]+")) {
        throw new Env.ConfigException("CODEC_CORS_ORIGIN must list origins such as"
            + " https://temporal.example.com (no path), got \"" + origin + "\"");
      }
    }
    return origins;
  }

  /** Whether a verified e-mail is on SUPPORT_EMAILS (case-insensitive). */
  public boolean isSupportEmail(String email) {
    return email != null && supportEmails.contains(email.toLowerCase(Locale.ROOT));
  }

  /**
   * ADMIN_TOKEN, when the admin endpoints are on: ADMIN_API=true requires the token (refused
   * without it), false turns them off even with one, unset means on exactly when the token is set.
   */
  private static String adminToken(Env env) {
    String token = env.secret("ADMIN_TOKEN");
    if (!env.getBoolean("ADMIN_API", token != null)) {
      return null;
    }
    if (token == null) {
      throw new Env.ConfigException("ADMIN_TOKEN must be set: ADMIN_API turns on the admin"
          + " endpoints (/admin/...), which need it");
    }
    return token;
  }

  private static String productId(Env env) {
    String id = env.get("MARKETPLACE_PRODUCT_ID");
    if (id != null && !id.strip().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new Env.ConfigException(
          "MARKETPLACE_PRODUCT_ID must be the listing's product id (prod-...), got \"" + id + "\"");
    }
    return id == null ? null : id.strip();
  }

  private static String sellerAccountId(Env env) {
    String account = env.get("MARKETPLACE_SELLER_ACCOUNT_ID");
    if (account != null && !account.strip().matches("\\d{12}")) {
      throw new Env.ConfigException(
          "MARKETPLACE_SELLER_ACCOUNT_ID must be a 12-digit AWS account id, got \"" + account
              + "\"");
    }
    return account == null ? null : account.strip();
  }

  private static List<OidcProviderSettings> providers(Env env) {
    List<OidcProviderSettings> providers = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String key : env.getList("OIDC_PROVIDERS", List.of())) {
      if (!key.matches("[A-Za-z0-9_]+")) {
        throw new Env.ConfigException(
            "OIDC_PROVIDERS keys may use letters, digits and _ only, got \"" + key + "\"");
      }
      String prefix = "OIDC_" + key.toUpperCase(Locale.ROOT) + "_";
      String urlKey = key.toLowerCase(Locale.ROOT);
      if (!seen.add(urlKey)) {
        throw new Env.ConfigException("OIDC_PROVIDERS names \"" + key + "\" twice");
      }
      providers.add(
          new OidcProviderSettings(
              urlKey,
              env.required(prefix + "ISSUER"),
              env.required(prefix + "CLIENT_ID"),
              env.secret(prefix + "CLIENT_SECRET"),
              env.get(prefix + "NAME", key),
              env.getBoolean(prefix + "EMAIL_FROM_SUBJECT", false)));
    }
    return List.copyOf(providers);
  }

  public boolean secureCookies() {
    return publicBaseUrl.startsWith("https:");
  }

  public OidcProviderSettings provider(String key) {
    return oidcProviders.stream().filter(p -> p.key().equals(key)).findFirst().orElse(null);
  }

  @Override
  public String toString() {
    return "ApiSettings[host=" + host + ", port=" + port + ", publicBaseUrl=" + publicBaseUrl
        + ", " + temporal + ", sessionSecret=" + (sessionSecretGenerated ? "random" : "set")
        + ", authenticationTimeout=" + authenticationTimeout + ", organizationTimeout="
        + organizationTimeout + ", reminders=" + reminders + ", oidcProviders=" + oidcProviders + ", adminToken="
        + (adminToken == null ? "unset" : "set") + ", metricsToken="
        + (metricsToken == null ? "unset (open)" : "set") + ", vendorName=" + vendorName
        + ", listingUrl=" + listingUrl + ", devMode=" + devMode + ", " + database
        + ", productCode=" + productCode + ", productId=" + productId + ", sellerAccountId="
        + sellerAccountId + ", " + eventTrust + ", " + metering + ", " + limits
        + ", supportEmails=" + supportEmails.size() + ", codecCorsOrigins=" + codecCorsOrigins
        + "]";
  }

  /**
   * One sign-in provider.
   *
   * @param key lowercase, as it appears in /auth/{key}/...
   * @param clientSecret null for a public client (PKCE only)
   * @param emailFromSubject development only: use the subject as e-mail when the ID token has none
   */
  public record OidcProviderSettings(
      String key,
      String issuer,
      String clientId,
      String clientSecret,
      String displayName,
      boolean emailFromSubject) {
    @Override
    public String toString() {
      return "OidcProvider[" + key + ", issuer=" + issuer + ", clientId=" + clientId + "]";
    }
  }
}
