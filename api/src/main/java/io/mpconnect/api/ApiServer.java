package io.mpconnect.api;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.mpconnect.api.auth.AuthRoutes;
import io.mpconnect.api.auth.OidcClient;
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
import io.mpconnect.api.metering.MeteringRoutes;
import io.mpconnect.api.onboarding.OnboardingRoutes;
import io.mpconnect.api.onboarding.Onboardings;
import io.mpconnect.api.onboarding.SignupPage;
import io.mpconnect.api.openapi.OpenApiRoutes;
import io.mpconnect.api.registration.RegistrationRoutes;
import io.mpconnect.api.session.CookieSigner;
import io.mpconnect.api.session.Csrf;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.Assets;
import io.mpconnect.api.web.ErrorHandling;
import io.mpconnect.api.web.Html;
import io.mpconnect.api.web.Json;
import io.mpconnect.api.web.Pages;
import io.mpconnect.config.Env;
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
  private static final int STOP_TIMEOUT_MILLIS = 10_000;

  private final ApiSettings settings;
  private final OidcClient oidc;
  private final ConsoleData consoleData;
  private final Javalin app;

  public ApiServer(ApiSettings settings, WorkflowClient client) {
    this(settings, client, new ApiMetrics());
  }

  /** With the registry that {@code client}'s Temporal connection reports its metrics to. */
  public ApiServer(ApiSettings settings, WorkflowClient client, ApiMetrics metrics) {
    this.settings = settings;
    Clock clock = Clock.systemUTC();
    CookieSigner signer = new CookieSigner(settings.sessionSecret());
    Sessions sessions = new Sessions(signer, settings.secureCookies(), clock);
    Csrf csrf = new Csrf(signer);
    Onboardings onboardings =
        new Onboardings(
            client,
            settings.temporal().taskQueue(),
            settings.authenticationTimeout(),
            settings.organizationTimeout());
    this.oidc = new OidcClient(settings.publicBaseUrl());
    this.consoleData = new ConsoleData(settings.database());
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
    ErrorHandling.install(app);
    limits.install(app);
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
    new HealthRoutes(client, metrics).register(app);
    new OpenApiRoutes().register(app);
    new MarketplaceEventRoutes(client, settings).register(app);
    new OrganizationSupportRoutes(consoleData, client, settings.adminToken()).register(app);
    new MeteringRoutes(settings.metering(), settings.database(), settings.adminToken(), client,
        settings.temporal().taskQueue(), clock).register(app);
    if (settings.devMode()) {
      new DevRoutes().register(app);
    }
    app.get("/", ctx -> {
      if (settings.devMode()) {
        ctx.redirect("/dev/marketplace", HttpStatus.FOUND);
      } else {
        Pages.render(ctx, 200, settings.vendorName() + " on AWS Marketplace",
            "<p>To set up your account, subscribe on AWS Marketplace and click \"Set up your"
                + " account\".</p>");
      }
    });
  }

  public ApiServer start() {
    app.start(settings.host(), settings.port());
    log.info("api listening on {}:{} ({}), {}", settings.host(), port(), settings.publicBaseUrl(),
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

  /** Stops accepting connections and lets requests in flight finish (up to 10 s). */
  public void stop() {
    app.stop();
    consoleData.close();
    log.info("api stopped");
  }

  public static void main(String[] args) {
    ApiSettings settings = ApiSettings.from(Env.system());
    ApiMetrics metrics = new ApiMetrics();
    WorkflowServiceStubs service =
        TemporalConnections.connect(settings.temporal(), metrics.temporalScope());
    WorkflowClient client = TemporalConnections.client(service, settings.temporal());
    ApiServer server = new ApiServer(settings, client, metrics).start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop();
                  service.shutdown();
                },
                "api-shutdown"));
  }
}
