package io.mpconnect.devmode;

import io.mpconnect.api.ApiServer;
import io.mpconnect.api.ApiSettings;
import io.mpconnect.config.DatabaseSettings;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.config.Env;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.mpconnect.persistence.Database;
import io.mpconnect.persistence.DemoData;
import io.mpconnect.persistence.LoginRoles;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.standins.metering.MarketplaceCustomer;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.standins.oidc.DevOidcProvider;
import io.mpconnect.worker.WorkerApp;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything on one machine with no configuration: embedded PostgreSQL, Temporal, the local AWS
 * Metering stand-in, a development OIDC provider, demo data, the worker and the api. Any variable
 * set in the real environment wins over the defaults here (e.g. AWS_ENDPOINT_URL_MARKETPLACE_METERING
 * to use another endpoint, DATABASE_URL to use your own PostgreSQL).
 */
public final class DevMode implements AutoCloseable {
  static final String PRODUCT_CODE = "prod-demo123";
  /** The demo listing's catalog id (MARKETPLACE_PRODUCT_ID), as AWS's agreement events name it. */
  static final String PRODUCT_ID = "prod-demolisting01";
  /** The demo seller's AWS account (MARKETPLACE_SELLER_ACCOUNT_ID), where AWS sends the events. */
  static final String SELLER_ACCOUNT = "444455556666";
  static final String DEMO_ACCOUNT = "111122223333";
  /** Who may read decoded payloads in the developer mode's Web UI (SUPPORT_EMAILS). */
  public static final String SUPPORT_EMAIL = "support@example.com";
  private static final String CODEC_PATH = "/codec";
  private static final Logger log = LoggerFactory.getLogger(DevMode.class);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Map<String, String> env = new HashMap<>();
  private LocalTemporal temporal;
  private DevOidcProvider oidc;
  private DevLifecycleQueue lifecycleQueue;
  private boolean autoSubscribe;
  private WorkerApp worker;
  private int apiPort;
  /** The api's and the worker's roles when the developer mode made them log in, else null. */
  private String rolesInUse;

  public static void main(String[] args) {
    DevMode dev = new DevMode();
    Runtime.getRuntime().addShutdownHook(new Thread(dev::close, "devmode-shutdown"));
    try {
      dev.start(System.getenv());
    } catch (RuntimeException e) {
      log.error("the developer mode could not start: {}", e.getMessage(), e);
      dev.close();
      System.exit(1);
    }
    System.out.println(dev.banner());
  }

  /** Starts every part; {@code overrides} (the real environment) win over the defaults. */
  public void start(Map<String, String> overrides) {
    Env given = new Env(overrides);
    Path home = Path.of(given.get("DEVMODE_HOME", ".devmode")).toAbsolutePath();
    apiPort = given.getInt("API_PORT", 8080);

    boolean embeddedDatabase = given.get("DATABASE_URL") == null;
    if (embeddedDatabase) {
      // Stopped by this process's one ordered shutdown (close), after the worker.
      EmbeddedDatabase postgres = EmbeddedDatabase.start(
          given.getInt("DEVMODE_POSTGRES_PORT", 54329), home.resolve("postgres"), false);
      started.push(postgres);
      env.put("DATABASE_URL", postgres.createDatabase("mpconnect"));
      env.put("DATABASE_USER", EmbeddedDatabase.USER);
      env.put("DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD);
    }
    if (given.get(PayloadKeys.KEYS) == null && given.get(PayloadKeys.KEYS_FILE) == null) {
      env.put(PayloadKeys.KEYS_FILE, DevPayloadKey.ensure(home).toString());
    }
    if (given.get("TEMPORAL_ADDRESS") == null) {
      int uiPort = given.getInt("DEVMODE_TEMPORAL_UI_PORT", 8233);
      temporal = LocalTemporal.start(
          given.getInt("DEVMODE_TEMPORAL_PORT", 7233), uiPort, home,
          "http://127.0.0.1:" + apiPort + CODEC_PATH,
          given.get("DEVMODE_TEMPORAL_METRICS_PORT") == null
              ? null : given.getInt("DEVMODE_TEMPORAL_METRICS_PORT", 0));
      // The UI's origin is whichever host was typed into the browser.
      env.put("CODEC_CORS_ORIGIN", "http://127.0.0.1:" + uiPort + ",http://localhost:" + uiPort);
      started.push(temporal);
      env.put("TEMPORAL_ADDRESS", temporal.address());
    }
    String productCode = given.get("MARKETPLACE_PRODUCT_CODE", PRODUCT_CODE);
    env.put("MARKETPLACE_PRODUCT_CODE", productCode);
    String productId = given.get("MARKETPLACE_PRODUCT_ID", PRODUCT_ID);
    env.put("MARKETPLACE_PRODUCT_ID", productId);
    String sellerAccount = given.get("MARKETPLACE_SELLER_ACCOUNT_ID", SELLER_ACCOUNT);
    env.put("MARKETPLACE_SELLER_ACCOUNT_ID", sellerAccount);
    if (given.get("AWS_ENDPOINT_URL_MARKETPLACE_METERING") == null) {
      MeteringStandIn metering =
          new MeteringStandIn(productCode).start(given.getInt("DEVMODE_METERING_PORT", 8088));
      started.push(metering);
      env.put("AWS_ENDPOINT_URL_MARKETPLACE_METERING", metering.endpoint().toString());
      env.put("AWS_ACCESS_KEY_ID", "devmode");
      env.put("AWS_SECRET_ACCESS_KEY", "devmode");
      if (given.get("SQS_QUEUE_URL") == null) {
        // AWS sends its events around the registration; here, when the token resolves: the
        // agreement and license events for a demo- token (current model), subscribe-success for a
        // legacy- token. Without auto-subscribe only the by-hand bodies are written.
        autoSubscribe = given.getBoolean("DEVMODE_AUTO_SUBSCRIBE", true);
        metering.onCustomerResolved((MarketplaceCustomer customer) -> {
          if (customer.productCode().equals(productCode) && lifecycleQueue != null) {
            lifecycleQueue.customerResolved(customer);
          }
        });
      }
    }
    if (given.get("SQS_QUEUE_URL") == null) {
      // A free port unless given: nothing but the worker needs to find it (see the banner).
      lifecycleQueue = DevLifecycleQueue.start(given.getInt("DEVMODE_SQS_PORT", 0),
          new AgreementEvents(sellerAccount, productId, productCode), home.resolve("events"),
          autoSubscribe);
      started.push(lifecycleQueue);
      env.put("AWS_ENDPOINT_URL_SQS", lifecycleQueue.endpoint());
      env.put("SQS_QUEUE_URL", lifecycleQueue.queueUrl());
      env.putIfAbsent("AWS_ACCESS_KEY_ID", "devmode");
      env.putIfAbsent("AWS_SECRET_ACCESS_KEY", "devmode");
      // Short long polls: the in-process queue's server waits for an open poll before it stops,
      // so a 20 s poll would hold Ctrl+C / SIGTERM that long (the process exits within 10 s).
      env.putIfAbsent("SQS_WAIT_TIME_SECONDS", "2");
    }
    if (given.get("OIDC_PROVIDERS") == null) {
      oidc = new DevOidcProvider().start(given.getInt("DEVMODE_OIDC_PORT", 8089));
      started.push(oidc);
      env.put("OIDC_PROVIDERS", "dev");
      env.put("OIDC_DEV_ISSUER", oidc.issuerUrl("dev"));
      env.put("OIDC_DEV_CLIENT_ID", "mpconnect-dev");
      env.put("OIDC_DEV_CLIENT_SECRET", "mpconnect-dev-secret");
      env.put("OIDC_DEV_NAME", "Development sign-in (type any e-mail)");
      env.put("OIDC_DEV_EMAIL_FROM_SUBJECT", "true");
    }
    // Every listener of the developer mode on this machine only (docs/security.md).
    env.put("API_HOST", "127.0.0.1");
    env.put("WORKER_STATUS_HOST", "127.0.0.1");
    env.put("API_PORT", Integer.toString(apiPort));
    env.put("PUBLIC_BASE_URL", "http://127.0.0.1:" + apiPort);
    env.put("MARKETPLACE_LISTING_URL", "http://127.0.0.1:" + apiPort + "/dev/marketplace");
    env.put("SESSION_SECRET", "devmode-session-secret-not-for-production");
    env.put("ADMIN_TOKEN", "devmode-admin-token");
    // Its stand-in's SNS-wrapped subscribe-success, the .devmode/events bodies and the banner's
    // curl carry no AWS signature; a badly signed message is still refused.
    env.put("MARKETPLACE_ACCEPT_UNSIGNED_EVENTS", "true");
    env.put("USAGE_TOKEN", "devmode-usage-token");
    env.put("METERING_DIMENSIONS", "api_calls,active_users");
    env.put("VENDOR_NAME", "Demo SaaS");
    env.put("DEV_MODE", "true");
    // Signed in with the development provider as this address, the Web UI shows decoded payloads.
    env.put("SUPPORT_EMAILS", SUPPORT_EMAIL);
    env.put("TEMPORAL_REGISTER_SEARCH_ATTRIBUTES", "true");
    env.put("WORKER_STATUS_PORT", "0");
    env.putAll(overrides);
    Env effective = new Env(env);

    Env workerEnv = effective;
    Env apiEnv = effective;
    DatabaseSettings database = DatabaseSettings.from(effective);
    if (oidc != null || embeddedDatabase) {
      // Migrated here as the owner (the embedded superuser, or yours).
      try (Database owner = Database.connect(database)) {
        if (oidc != null) {
          DemoData.seed(owner.jdbi(), oidc.issuerUrl("dev"));
        }
        if (embeddedDatabase) {
          // The api and the worker work as their own roles, as in production, so every run
          // (and every test on the developer mode) proves their grants suffice.
          workerEnv = withRole(owner, database.migration().workerRole(), true);
          apiEnv = withRole(owner, database.migration().apiRole(), false);
          rolesInUse = database.migration().apiRole() + ", " + database.migration().workerRole();
        }
      }
    }
    worker = WorkerApp.start(workerEnv);
    started.push(worker);
    WorkflowServiceStubs service = TemporalConnections.connect(TemporalSettings.from(apiEnv));
    started.push(service::shutdown);
    ApiServer api =
        new ApiServer(
            ApiSettings.from(apiEnv),
            TemporalConnections.client(service, TemporalSettings.from(apiEnv)));
    api.start();
    started.push(api::stop);
  }

  /**
   * The settings with DATABASE_USER and DATABASE_PASSWORD of {@code role}, which may now log in
   * with a new password; {@code migrates}: the owner stays DATABASE_MIGRATION_USER.
   */
  private Env withRole(Database owner, String role, boolean migrates) {
    String password = LoginRoles.newPassword();
    LoginRoles.allowLogin(owner.jdbi(), role, password);
    Map<String, String> values = new HashMap<>(env);
    if (migrates) {
      values.put("DATABASE_MIGRATION_USER", env.get("DATABASE_USER"));
      values.put("DATABASE_MIGRATION_PASSWORD", env.get("DATABASE_PASSWORD"));
    }
    values.put("DATABASE_USER", role);
    values.put("DATABASE_PASSWORD", password);
    return new Env(values);
  }

  public String banner() {
    String base = "http://127.0.0.1:" + apiPort;
    return String.join("\n",
        "",
        "mpconnect is running on embedded defaults.",
        "",
        "  1. Simulate AWS Marketplace's \"Set up your account\":  " + base + "/dev/marketplace",
        "     or from a shell (a new token each time, like AWS):",
        "       curl -i -X POST " + base + "/marketplace/aws/register \\",
        "            -d x-amzn-marketplace-token=" + MeteringStandIn.newDemoToken(DEMO_ACCOUNT),
        "     (a demo- token is on AWS's current model, with a LicenseArn of its own; a legacy-"
            + " token,",
        "      e.g. " + MeteringStandIn.newLegacyToken(DEMO_ACCOUNT) + ", on the legacy model,"
            + " with CustomerIdentifier " + MeteringStandIn.demoCustomerIdentifier(DEMO_ACCOUNT)
            + ")",
        "  2. Sign in with the development provider: type owner@example.com",
        "     (owns \"Acme Analytics\" (Starter, can connect) and \"Acme Enterprise\" (Standard),",
        "      and is a member of \"Globex Research\"); any other address is a new user.",
        "  3. Choose \"Acme Analytics\" or create a new organization, and click Connect.",
        lifecycleSteps(base),
        "  5. Usage metering (" + env.get("METERING_DIMENSIONS") + "): once Acme Analytics is billed"
            + " through AWS, report usage as the product would,",
        "     then see what was sent to the AWS stand-in, hour by hour:",
        "       curl -i -X POST " + base + "/api/usage -H 'Authorization: Bearer "
            + env.get("USAGE_TOKEN") + "' \\",
        "            -d '{\"organizationId\":\"" + DemoData.ACME_ANALYTICS
            + "\",\"dimension\":\"api_calls\",\"quantity\":3,",
        "                 \"timestamp\":\"" + java.time.Instant.now().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS)
            + "\",\"idempotencyKey\":\"evt-1\"}'",
        "       curl -H 'Authorization: Bearer " + env.get("ADMIN_TOKEN") + "' '" + base
            + "/admin/metering?organizationId=" + DemoData.ACME_ANALYTICS + "'",
        "     " + (temporal != null && temporal.isInProcess()
            ? "No Temporal CLI: the in-process server has no Schedules, so the worker itself"
                + " triggers\n     hourly metering (not durable). POST /admin/metering/runs"
                + " meters an hour now."
            : "Schedule metering-hourly meters each hour at 5 past (see it in the Web UI);"
                + "\n     POST /admin/metering/runs {\"hour\": ...} meters an hour now."),
        "",
        "  Temporal:    " + (temporal == null ? env.get("TEMPORAL_ADDRESS") : temporal.address())
            + "   Web UI: " + (temporal == null ? "(your own)" : temporal.describeUi()),
        "  Payloads are encrypted (key: " + (env.get(PayloadKeys.KEYS_FILE) == null
            ? "PAYLOAD_KEYS" : env.get(PayloadKeys.KEYS_FILE)) + "); the Web UI decodes them through "
            + base + CODEC_PATH,
        "     for a signed-in " + SUPPORT_EMAIL + " (sign in at " + base
            + "/organizations first; in the UI's Codec Server settings, turn on",
        "     \"Include cross-origin credentials\"). See docs/security.md.",
        "  PostgreSQL:  " + env.get("DATABASE_URL") + " (user " + env.get("DATABASE_USER")
            + (rolesInUse == null ? ")" : "; the api and the worker as " + rolesInUse + ")"),
        "  AWS stand-in: " + env.get("AWS_ENDPOINT_URL_MARKETPLACE_METERING"),
        "  Lifecycle queue: " + env.get("SQS_QUEUE_URL"),
        "  OIDC issuer: " + (oidc == null ? "(configured)" : oidc.issuerUrl("dev")),
        "  Health:      " + base + "/health/ready    Metrics: " + base + "/metrics",
        "",
        "Press Ctrl+C to stop. State is kept in .devmode/ (delete it to start afresh).",
        "");
  }

  /** Step 4 of the banner: AWS's lifecycle events, sent for you or by hand. */
  private String lifecycleSteps(String base) {
    String admin = "       curl -i -X POST " + base + "/admin/marketplace/events -H 'Authorization:"
        + " Bearer " + env.get("ADMIN_TOKEN") + "' \\\n";
    StringBuilder step = new StringBuilder("  4. AWS's lifecycle events: ");
    if (autoSubscribe) {
      step.append("when a demo- token resolves, \"Purchase Agreement Created - Proposer\"\n")
          .append("     and \"License Updated - Manufacturer\" (for a legacy- token,")
          .append(" subscribe-success) go on the local\n")
          .append("     queue, so the plan becomes Standard after the connect")
          .append(" (DEVMODE_AUTO_SUBSCRIBE=false to send\n     them yourself).\n");
    } else {
      step.append("nothing sends them here: send them by hand to activate.\n");
    }
    if (lifecycleQueue != null) {
      Path events = lifecycleQueue.handEventsDirectory();
      step.append("     The latest demo- license's events are written to ").append(events)
          .append("\n     (").append(DevLifecycleQueue.AGREEMENT_CREATED_FILE).append(", ")
          .append(DevLifecycleQueue.LICENSE_UPDATED_FILE).append(", ")
          .append(DevLifecycleQueue.AGREEMENT_AMENDED_FILE).append(", ")
          .append(DevLifecycleQueue.AGREEMENT_ENDED_FILE).append(",\n     ")
          .append(DevLifecycleQueue.LICENSE_DEPROVISIONED_FILE)
          .append("). End its agreement (its final metering hour), then deprovision its")
          .append(" license:\n")
          .append(admin).append("            --data-binary @")
          .append(events.resolve(DevLifecycleQueue.AGREEMENT_ENDED_FILE)).append("\n")
          .append(admin).append("            --data-binary @")
          .append(events.resolve(DevLifecycleQueue.LICENSE_DEPROVISIONED_FILE)).append("\n");
    }
    step.append("     A legacy- customer's (subscribe-success, subscribe-fail, unsubscribe-pending,")
        .append(" unsubscribe-success):\n")
        .append(admin)
        .append("            -d '{\"action\":\"unsubscribe-success\",\"customer-identifier\":\"")
        .append(MeteringStandIn.demoCustomerIdentifier(DEMO_ACCOUNT))
        .append("\",\"product-code\":\"").append(env.get("MARKETPLACE_PRODUCT_CODE")).append("\"}'");
    return step.toString();
  }

  /** An effective setting (defaults and overrides), for tests that drive the developer mode. */
  public String setting(String name) {
    return env.get(name);
  }

  /** How clients reach this Temporal with this mode's payload keys, for tests and benchmarks. */
  public TemporalSettings temporalSettings() {
    return TemporalSettings.from(new Env(env));
  }

  /** The worker's metrics and health port, for tests that drive the developer mode. */
  public int workerStatusPort() {
    return worker.statusPort();
  }

  /** The api's base URL, for tests that drive the developer mode. */
  public String baseUrl() {
    return "http://127.0.0.1:" + apiPort;
  }

  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
  }
}
