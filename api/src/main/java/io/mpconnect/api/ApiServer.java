package io.mpconnect.api;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.mpconnect.api.auth.AuthRoutes;
import io.mpconnect.api.auth.OidcClient;
import io.mpconnect.api.codec.CodecRoutes;
import io.mpconnect.api.console.BillingPage;
import io.mpconnect.api.console.Console;
import io.mpconnect.api.console.ConsoleData;
import io.mpconnect.api.support.OrganizationSupportRoutes;
import io.mpconnect.api.console.OrganizationsPage;
import io.mpconnect.api.dev.DevRoutes;
import io.mpconnect.api.health.ApiMetrics;
import io.mpconnect.api.health.HealthRoutes;
import io.mpconnect.api.health.LogContext;
import io.mpconnect.api.limits.Limits;
import io.mpconnect.api.marketplace.MarketplaceEventRoutes;
import io.mpconnect.api.marketplace.StoredSubscriptionStatus;
import io.mpconnect.api.metering.MeteringRoutes;
import io.mpconnect.api.onboarding.OnboardingRoutes;
import io.mpconnect.api.onboarding.Onboardings;
import io.mpconnect.api.onboarding.SignupPage;
import io.mpconnect.api.openapi.OpenApiRoutes;
import io.mpconnect.api.registration.RegistrationRoutes;
import io.mpconnect.api.session.CookieSigner;
import io.mpconnect.api.session.Csrf;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Assets;
import io.mpconnect.api.web.ErrorHandling;
import io.mpconnect.api.web.Html;
import io.mpconnect.api.web.Json;
import io.mpconnect.api.web.Templates;
import io.mpconnect.config.Env;
import io.mpconnect.config.StartupFailures;
import io.mpconnect.config.TemporalConnections;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api process: a thin HTTP layer in which every change goes through Temporal. Construct with
 * any {@link WorkflowClient} (a test environment's, the developer launcher's or a real one).
 */
public final class ApiServer {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  /** Requests in flight get this long at SIGTERM; the process exits within 10 s. */
  private static final int STOP_TIMEOUT_MILLIS = 6_000;

  private final ApiSettings settings;
  private final OidcClient oidc;
  private final ConsoleData consoleData;
  private final Javalin app;

  public ApiServer(ApiSettings settings, WorkflowClient client) {
    this(settings, client, new ApiMetrics());
  }

  /** With the registry that {@code client}'s Temporal connection reports its metrics to. */
  public ApiServer(ApiSettings settings, WorkflowClient client, ApiMetrics metrics) {
    this(settings, client, metrics, null);
  }

  /**
   * @param subscriptionRecords where the sign-up page reads a connected onboarding's subscription;
   *     null for PostgreSQL (the console's pool). The api's tests without a database give theirs.
   */
  ApiServer(ApiSettings settings, WorkflowClient client, ApiMetrics metrics,
      StoredSubscriptionStatus.Records subscriptionRecords) {
    this.settings = settings;
    this.consoleData = new ConsoleData(settings.database());
    Clock clock = Clock.systemUTC();
    CookieSigner signer = new CookieSigner(settings.sessionSecret());
    Sessions sessions = new Sessions(signer, settings.secureCookies(), clock);
    Csrf csrf = new Csrf(signer);
    Onboardings onboardings =
        new Onboardings(
            client,
            settings.temporal().taskQueue(),
            settings.authenticationTimeout(),
            settings.organizationTimeout(),
            settings.reminders(),
            settings.productCode(),
            new StoredSubscriptionStatus(subscriptionRecords != null
                ? subscriptionRecords
                : StoredSubscriptionStatus.fromDatabase(consoleData)));
    this.oidc = new OidcClient(settings.publicBaseUrl());
    // Body limits per route (413), bounded Jetty threads and queue, rate limits (429), and the
    // global budget of onboarding starts: see the limits package.
    Limits limits = new Limits(settings.limits());

    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              limits.configure(config);
              config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
              config.jetty.modifyServer(
                  server -> {
                    // Lets stop() finish the requests in flight (graceful shutdown).
                    server.setHandler(new StatisticsHandler());
                    server.setStopTimeout(STOP_TIMEOUT_MILLIS);
                  });
            });
    app.before(Html::securityHeaders);
    if (settings.secureCookies()) {
      // Browsers that came once over https never again try plain http, where a network attacker
      // could read or plant the session cookie. A year, the usual minimum for preload lists.
      app.before(ctx -> ctx.header("Strict-Transport-Security", "max-age=31536000"));
    }
    ErrorHandling.install(app);
    limits.install(app, ctx -> sessions.read(ctx).map(Session::id));
    metrics.install(app);
    LogContext.install(app);

    new RegistrationRoutes(onboardings, sessions, metrics, settings.listingUrl(),
        limits.onboardingStarts()).register(app);
    Assets.register(app);
    new SignupPage(onboardings, sessions, csrf, settings.oidcProviders(), settings.vendorName(),
        settings.listingUrl()).register(app);
    new OnboardingRoutes(onboardings, sessions, csrf).register(app);
    new AuthRoutes(settings, oidc, onboardings, sessions, signer, clock).register(app);
    Console console = new Console(consoleData, sessions, csrf, settings.oidcProviders(),
        settings.vendorName());
    console.register(app);
    new OrganizationsPage(console).register(app);
    new BillingPage(console, settings.listingUrl()).register(app);
    new HealthRoutes(client, metrics, settings.metricsToken()).register(app);
    new OpenApiRoutes().register(app);
    new MarketplaceEventRoutes(client, settings).register(app);
    new OrganizationSupportRoutes(consoleData, client, settings.adminToken()).register(app);
    new CodecRoutes(settings.temporal().payloadKeys(), sessions, settings.adminToken(),
        settings.temporal().namespace(), settings.codecCorsOrigins()).register(app);
    new MeteringRoutes(settings.metering(), settings.database(), settings.adminToken(), client,
        settings.temporal().taskQueue(), clock).register(app);
    if (settings.devMode()) {
      new DevRoutes().register(app);
    }
    app.get("/", ctx -> {
      if (settings.devMode()) {
        ctx.redirect("/dev/marketplace", HttpStatus.FOUND);
      } else {
        Templates.respond(ctx, 200, "pages/home.jte",
            Templates.params("vendor", settings.vendorName()));
      }
    });
  }

  /**
   * Binds {@code API_HOST:API_PORT} (port 0: any free one, then {@link #port} and the log line
   * {@value #LISTENING}{@code <host>:<port>} say which) and serves. A port that cannot be bound
   * fails at once with {@link CannotListenException}, after releasing what the attempt started.
   */
  public ApiServer start() {
    // Jetty's own start failure (e.g. the BindException): Javalin stops the server after it, and
    // an error in that stop can replace it in what Javalin throws.
    java.util.concurrent.atomic.AtomicReference<Throwable> jettyFailure =
        new java.util.concurrent.atomic.AtomicReference<>();
    app.jettyServer().server().addEventListener(
        new org.eclipse.jetty.util.component.LifeCycle.Listener() {
          @Override
          public void lifeCycleFailure(
              org.eclipse.jetty.util.component.LifeCycle event, Throwable cause) {
            jettyFailure.compareAndSet(null, cause);
          }
        });
    try {
      app.start(settings.host(), settings.port());
    } catch (Exception e) { // Javalin (Kotlin) may throw checked exceptions, e.g. from Jetty's stop
      Throwable jetty = jettyFailure.get();
      if (jetty != null && jetty != e) {
        e.addSuppressed(jetty);
      }
      java.net.BindException bind = bindFailure(e);
      if (bind == null && jetty != null) {
        bind = bindFailure(jetty);
      }
      try {
        app.stop();
        consoleData.close();
      } catch (Exception alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      if (bind != null) {
        String message = bind.getMessage() == null ? "" : bind.getMessage();
        throw new CannotListenException(settings.host() + ":" + settings.port(),
            message.toLowerCase(java.util.Locale.ROOT).contains("in use")
                ? "address already in use" : message.toLowerCase(java.util.Locale.ROOT), e);
      }
      throw e instanceof RuntimeException runtime ? runtime
          : new IllegalStateException("the api could not start: " + e, e);
    }
    log.info("{}{}:{} ({}), {}", LISTENING, settings.host(), port(), settings.publicBaseUrl(),
        settings);
    // Discovery off the start-up path: a provider that is down must not keep the api down.
    CompletableFuture.runAsync(() -> oidc.warmUp(settings.oidcProviders()));
    return this;
  }

  /**
   * Every HTTP route, as {@code "METHOD /path/{param}"}: the OpenAPI contract test compares them
   * with openapi.json.
   */
  public java.util.List<String> routes() {
    return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
        .map(parsed -> parsed.getEndpoint())
        .filter(endpoint -> endpoint.getMethod().isHttpMethod())
        .map(endpoint -> endpoint.getMethod().name() + " " + endpoint.getPath())
        .sorted()
        .toList();
  }

  /** The port actually bound (useful with API_PORT=0). */
  public int port() {
    return app.port();
  }

  /** Stops accepting connections and lets requests in flight finish (up to 6 s). */
  public void stop() {
    app.stop();
    consoleData.close();
    log.info("api stopped");
  }

  /**
   * Runs the api until SIGTERM. When it cannot start (a setting that does not parse, the port
   * taken, Temporal not answering within {@link #TEMPORAL_START_BUDGET}) it prints one line,
   * {@code error: <what>} (e.g. {@code error: cannot listen on 0.0.0.0:8080: address already in use
   * (API_PORT)}), and exits with status 1 at once. The database is not needed to start: the api
   * opens its pool when a request first needs it.
   */
  public static void main(String[] args) {
    ApiServer server = null;
    WorkflowServiceStubs service = null;
    try {
      ApiSettings settings = ApiSettings.from(Env.system());
      ApiMetrics metrics = new ApiMetrics();
      service = TemporalConnections.connect(settings.temporal(), metrics.temporalScope());
      WorkflowClient client = TemporalConnections.client(service, settings.temporal());
      server = new ApiServer(settings, client, metrics).start();
      TemporalConnections.awaitReachable(
          service, settings.temporal().address(), TEMPORAL_START_BUDGET);
    } catch (Throwable e) {
      StartupFailures.exit(log, startFailure(e), e,
          e instanceof CannotListenException || e instanceof Env.ConfigException
              || e instanceof TemporalConnections.TemporalUnreachable);
      return;
    }
    ApiServer started = server;
    WorkflowServiceStubs connection = service;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  started.stop();
                  connection.shutdown();
                },
                "api-shutdown"));
  }

  // ---- start-up failures

  /** The start of the line logged once the port is bound: "api listening on ". */
  public static final String LISTENING = "api listening on ";

  /** How long the api process waits at start for Temporal to answer before it gives up. */
  static final java.time.Duration TEMPORAL_START_BUDGET = java.time.Duration.ofSeconds(60);

  /**
   * {@code API_HOST:API_PORT} could not be bound; the message is the one line an operator needs,
   * e.g. {@code cannot listen on 0.0.0.0:8080: address already in use (API_PORT)}.
   */
  public static final class CannotListenException extends IllegalStateException {
    CannotListenException(String address, String reason, Throwable cause) {
      super("cannot listen on " + address + ": " + reason + " (API_PORT)", cause);
    }
  }

  private static java.net.BindException bindFailure(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.net.BindException bind) {
        return bind;
      }
    }
    String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return message.contains("already in use") ? new java.net.BindException("address in use")
        : null;
  }

  private static String startFailure(Throwable e) {
    if (e instanceof CannotListenException || e instanceof Env.ConfigException
        || e instanceof TemporalConnections.TemporalUnreachable) {
      return StartupFailures.firstLine(e.getMessage());
    }
    return "the api could not start: " + StartupFailures.firstLine(e.toString());
  }
}
