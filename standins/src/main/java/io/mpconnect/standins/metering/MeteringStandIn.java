package io.mpconnect.standins.metering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for the AWS Marketplace Metering Service, speaking its JSON 1.1 protocol over
 * HTTP so the real AWS SDK client can talk to it (no public emulator implements ResolveCustomer).
 *
 * <p>ResolveCustomer knows tokens registered with {@link #registerToken} and, so the developer
 * mode needs no setup, demo tokens in both of AWS's models, on the vendor's one product code:
 *
 * <ul>
 *   <li>{@code demo-<12 digits>[-<anything>]} ({@link #newDemoToken}): AWS's current model
 *       (Concurrent Agreements): that account, the vendor's product code and a LicenseArn {@code
 *       arn:aws:license-manager::<12 digits>:license:l-<32 hex>} derived from the whole token
 *       ({@link #demoLicenseArn}), so the same token always answers the same license and another
 *       token of the same account another license, like a new agreement; no CustomerIdentifier;
 *   <li>{@code legacy-<12 digits>[-<anything>]} ({@link #newLegacyToken}): the legacy model: that
 *       account, the vendor's product code, CustomerIdentifier {@code cust-<account>} ({@link
 *       #demoCustomerIdentifier}), no LicenseArn;
 *   <li>{@code demo-wrongproduct-<12 digits>[-<anything>]}: like {@code demo-}, but {@link
 *       #OTHER_PRODUCT_CODE};
 *   <li>{@code expired-<anything>}: ExpiredTokenException; anything else: InvalidTokenException.
 * </ul>
 *
 * <p>BatchMeterUsage follows AWS: at most 25 records, each naming its customer by exactly one of
 * {@code CustomerAWSAccountId} and the deprecated {@code CustomerIdentifier}, and on the current
 * model a {@code LicenseArn} (with the account only); an out-of-window timestamp, an unknown
 * dimension (when {@link #setAllowedDimensions} was called), customer or LicenseArn (one neither
 * registered for the account nor of the stand-in's own shape, or one {@link #poisonLicense
 * poisoned}: {@code InvalidLicenseException}) fails the whole call; an identical resubmission for
 * the same account, license, dimension and hour returns the same MeteringRecordId and is billed
 * once, a different quantity is a DuplicateRecord.
 *
 * <p>Thread-safe. {@link #reset()} clears the state tests create, not the configuration.
 */
public final class MeteringStandIn implements AutoCloseable {
  /** What {@code demo-wrongproduct-...} tokens resolve to: a product that is not the vendor's. */
  public static final String OTHER_PRODUCT_CODE = "other-vendors-product";
  /**
   * AWS's documented window was 1 h, then 6 h, and is 24 h in the current API docs; the stricter
   * default catches late metering early.
   */
  public static final Duration DEFAULT_TIMESTAMP_WINDOW = Duration.ofHours(6);

  private static final String TARGET_PREFIX = "AWSMPMeteringService.";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final int THREADS = 4;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(MeteringStandIn.class);
  private static final SecureRandom TOKEN_RANDOM = new SecureRandom();

  private final String productCode;
  private final Customers customers;
  private final UsageLedger ledger = new UsageLedger();
  private final Faults faults = new Faults();
  private final List<MeteringCall> calls = new ArrayList<>();
  private Duration timestampWindow = DEFAULT_TIMESTAMP_WINDOW;
  private Set<String> allowedDimensions;
  private Clock clock = Clock.systemUTC();
  private volatile Duration latency = Duration.ZERO;
  private volatile CustomerListener resolveListener;
  private HttpServer server;
  private ExecutorService executor;

  /** A stand-in for the vendor whose listing has {@code productCode}. */
  public MeteringStandIn(String productCode) {
    this.productCode = productCode;
    this.customers = new Customers(productCode);
  }

  /**
   * A fresh demo token for the account on AWS's current model (account, product code and a
   * LicenseArn of its own, no CustomerIdentifier), as AWS issues a new token on every click.
   */
  public static String newDemoToken(String awsAccountId) {
    return newToken("demo-", awsAccountId);
  }

  /**
   * A fresh demo token for the account on AWS's legacy model: it resolves with CustomerIdentifier
   * {@link #demoCustomerIdentifier} and without a LicenseArn.
   */
  public static String newLegacyToken(String awsAccountId) {
    return newToken("legacy-", awsAccountId);
  }

  private static String newToken(String prefix, String awsAccountId) {
    if (!Customers.isAccountId(awsAccountId)) {
      throw new IllegalArgumentException("an AWS account id has 12 digits: " + awsAccountId);
    }
    byte[] suffix = new byte[8];
    TOKEN_RANDOM.nextBytes(suffix);
    return prefix + awsAccountId + "-" + HexFormat.of().formatHex(suffix);
  }

  /** The customer identifier legacy tokens ({@link #newLegacyToken}) resolve to. */
  public static String demoCustomerIdentifier(String awsAccountId) {
    return Customers.demoCustomerIdentifier(awsAccountId);
  }

  /**
   * The LicenseArn a current-model demo token ({@link #newDemoToken}, {@code
   * demo-wrongproduct-...}) resolves to; the same for the same token, every time.
   *
   * @throws IllegalArgumentException for a token that is not a current-model demo token
   */
  public static String demoLicenseArn(String demoToken) {
    if (!Customers.isCurrentModelDemoToken(demoToken)) {
      throw new IllegalArgumentException("not a demo-<12 digits>[-...] token");
    }
    return Customers.demoLicenseArn(demoToken);
  }

  /** Listens on 127.0.0.1:{@code port}; 0 picks a free port. */
  public synchronized MeteringStandIn start(int port) {
    if (server != null) {
      throw new IllegalStateException("already started on port " + port());
    }
    try {
      server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port, e);
    }
    executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    return this;
  }

  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.getAddress().getPort();
  }

  /** For the SDK's {@code endpointOverride} or {@code AWS_ENDPOINT_URL_MARKETPLACE_METERING}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public String productCode() {
    return productCode;
  }

  // ---- customers

  /**
   * Makes {@code token} resolve to this customer without a LicenseArn (the legacy model, or a
   * customer with neither field); {@code customerIdentifier} may be null.
   */
  public synchronized void registerToken(
      String token, String productCode, String awsAccountId, String customerIdentifier) {
    registerToken(token, productCode, awsAccountId, customerIdentifier, null);
  }

  /**
   * Makes {@code token} resolve to this customer; {@code customerIdentifier} and {@code
   * licenseArn} may each be null and are left out of the answer then.
   */
  public synchronized void registerToken(
      String token,
      String productCode,
      String awsAccountId,
      String customerIdentifier,
      String licenseArn) {
    customers.register(
        token, new MarketplaceCustomer(productCode, awsAccountId, customerIdentifier, licenseArn));
  }

  /** From now on {@code token} answers ExpiredTokenException, as AWS tokens do after ~1 h. */
  public synchronized void expireToken(String token) {
    customers.expire(token);
  }

  /**
   * Usage for this customer (a customer identifier or account id) comes back as
   * CustomerNotSubscribed until {@link #resubscribe}.
   */
  public synchronized void unsubscribe(String customer) {
    customers.setSubscribed(customer, false);
  }

  public synchronized void resubscribe(String customer) {
    customers.setSubscribed(customer, true);
  }

  /**
   * {@code licenseArn} is valid for {@code awsAccountId} only (a record naming it with another
   * account is refused with InvalidLicenseException).
   */
  public synchronized void registerLicense(String awsAccountId, String licenseArn) {
    customers.registerLicense(awsAccountId, licenseArn);
  }

  /**
   * Test hook: every call with a record carrying {@code licenseArn} is refused with {@code
   * InvalidLicenseException} (400), as AWS refuses a wrong LicenseArn for the whole call.
   */
  public synchronized void poisonLicense(String licenseArn) {
    customers.poisonLicense(licenseArn);
  }

  /**
   * Test hook: every call with a record of this account is refused with {@code errorType} (400;
   * any name, also one the SDK does not know); null stops it.
   */
  public synchronized void refuseRecordsOf(String awsAccountId, String errorType) {
    customers.refuseRecordsOf(awsAccountId, errorType);
  }

  /** Records carrying this LicenseArn come back as CustomerNotSubscribed until resubscribed. */
  public synchronized void unsubscribeLicense(String licenseArn) {
    customers.setLicenseSubscribed(licenseArn, false);
  }

  public synchronized void resubscribeLicense(String licenseArn) {
    customers.setLicenseSubscribed(licenseArn, true);
  }

  /**
   * A LicenseArn of the stand-in's own shape for tests ({@code seed} picks it): accepted for any
   * account until poisoned.
   */
  public static String licenseArn(String seed) {
    return Customers.demoLicenseArn("seed:" + seed);
  }

  /**
   * Told about every customer ResolveCustomer resolves a token to, with both models' fields:
   * {@link MarketplaceCustomer#currentModel()} tells them apart.
   */
  @FunctionalInterface
  public interface CustomerListener {
    void resolved(MarketplaceCustomer customer);
  }

  /**
   * The three-field form of {@link CustomerListener}, for listeners that need no LicenseArn;
   * {@code customerIdentifier} is null on the current model.
   */
  @FunctionalInterface
  public interface ResolveListener {
    void resolved(String productCode, String awsAccountId, String customerIdentifier);
  }

  /**
   * Calls {@code listener} after each successful ResolveCustomer (replacing any listener set
   * before); the developer mode uses it to send AWS's lifecycle events, as AWS does around a
   * registration. A failing listener is logged and does not change the answer.
   */
  public void onCustomerResolved(CustomerListener listener) {
    this.resolveListener = listener;
  }

  /** {@link #onCustomerResolved(CustomerListener)} for a listener of the three-field form. */
  public void onCustomerResolved(ResolveListener listener) {
    onCustomerResolved(
        listener == null
            ? null
            : (CustomerListener)
                customer ->
                    listener.resolved(
                        customer.productCode(),
                        customer.awsAccountId(),
                        customer.customerIdentifier()));
  }

  // ---- metering configuration

  /** How far back BatchMeterUsage accepts timestamps. */
  public synchronized void setTimestampWindow(Duration window) {
    this.timestampWindow = window;
  }

  /** Only these dimensions are accepted; null accepts any. */
  public synchronized void setAllowedDimensions(Set<String> dimensions) {
    this.allowedDimensions = dimensions == null ? null : Set.copyOf(dimensions);
  }

  /** The clock the timestamp window and the call log read. */
  public synchronized void setClock(Clock clock) {
    this.clock = clock;
  }

  // ---- what AWS would bill, and what was asked

  /** The accepted, de-duplicated usage records, in the order they were first accepted. */
  public synchronized List<MeteredRecord> meteredRecords() {
    return ledger.records();
  }

  public synchronized List<MeteringCall> calls() {
    return List.copyOf(calls);
  }

  public synchronized List<MeteringCall> calls(String operation) {
    return calls.stream().filter(call -> call.operation().equals(operation)).toList();
  }

  // ---- fault injection

  /** The next {@code times} calls of {@code operation} fail with {@code errorType}. */
  public synchronized void failNext(String operation, String errorType, int times) {
    faults.failNext(operation, errorType, times);
  }

  /**
   * Calls of {@code operation} fail with {@code errorType} at this ratio (0 stops it), drawn
   * from a seeded Random so a run repeats itself.
   */
  public synchronized void setFailureRate(String operation, String errorType, double ratio) {
    faults.setRate(operation, errorType, ratio);
  }

  /**
   * AWS's quota: calls of every operation beyond {@code callsPerSecond} (a token bucket holding up
   * to {@code burst} calls) fail with ThrottlingException, as AWS throttles; 0 turns it off.
   */
  public synchronized void setQuota(double callsPerSecond, double burst) {
    faults.setQuota(callsPerSecond, burst);
  }

  /** Reseeds the Random behind {@link #setFailureRate}, for another reproducible sequence. */
  public synchronized void setRandomSeed(long seed) {
    faults.seed(seed);
  }

  /** Every call waits this long before it is answered. */
  public void setLatency(Duration latency) {
    this.latency = latency;
  }

  /**
   * The next {@code count} usage records are returned in UnprocessedRecords instead of being
   * metered: the last records of the next BatchMeterUsage call, spilling into later calls.
   */
  public synchronized void returnUnprocessedNext(int count) {
    faults.returnUnprocessed(count);
  }

  /** Forgets tokens, customers' subscription states, the ledger, the call log and the faults. */
  public synchronized void reset() {
    customers.clear();
    ledger.clear();
    faults.clear();
    calls.clear();
    latency = Duration.ZERO;
  }

  @Override
  public void close() {
    HttpServer stopping;
    ExecutorService threads;
    synchronized (this) {
      stopping = server;
      threads = executor;
      server = null;
      executor = null;
    }
    // Outside the lock: a request thread may be waiting for it to finish its answer.
    if (stopping != null) {
      stopping.stop(0);
      threads.shutdownNow();
      try {
        threads.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- protocol

  private record Reply(int status, String errorType, JsonNode body) {}

  private void handle(HttpExchange exchange) throws IOException {
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String operation =
          target != null && target.startsWith(TARGET_PREFIX)
              ? target.substring(TARGET_PREFIX.length())
              : String.valueOf(target);
      sleep(latency);
      Reply reply = answer(exchange.getRequestMethod(), operation, body);
      byte[] bytes = JSON.writeValueAsBytes(reply.body());
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
      if (reply.errorType() != null) {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", reply.errorType());
      }
      exchange.sendResponseHeaders(reply.status(), bytes.length);
      exchange.getResponseBody().write(bytes);
    } finally {
      exchange.close();
    }
  }

  private synchronized Reply answer(String method, String operation, byte[] body) {
    JsonNode request = MissingNode.getInstance();
    Reply reply;
    try {
      request = parse(body);
      if (!method.equals("POST")) {
        throw new MeteringError("UnknownOperationException", "Use POST");
      }
      faults.maybeFail(operation);
      reply =
          switch (operation) {
            case "ResolveCustomer" -> new Reply(200, null, resolveCustomer(request));
            case "BatchMeterUsage" -> new Reply(200, null, batchMeterUsage(request));
            default -> throw new MeteringError(
                "UnknownOperationException", "Unknown operation " + operation);
          };
    } catch (MeteringError e) {
      reply = error(e);
    } catch (RuntimeException e) {
      // A bug in the stand-in: answer like an AWS server fault so the client does not hang.
      LOG.error("metering stand-in failed on {}", operation, e);
      reply = error(new MeteringError("InternalServiceErrorException", "Stand-in failure: " + e));
    }
    calls.add(
        new MeteringCall(
            operation, request, reply.status(), reply.errorType(), reply.body(), clock.instant()));
    return reply;
  }

  private static Reply error(MeteringError e) {
    ObjectNode body = JSON.createObjectNode().put("__type", e.type).put("message", e.getMessage());
    return new Reply(e.status(), e.type, body);
  }

  private ObjectNode resolveCustomer(JsonNode request) {
    MarketplaceCustomer customer =
        customers.resolve(request.path("RegistrationToken").asText(null));
    CustomerListener listener = resolveListener;
    if (listener != null) {
      try {
        listener.resolved(customer);
      } catch (RuntimeException e) {
        LOG.warn("resolve listener failed: {}", e.toString());
      }
    }
    ObjectNode response =
        JSON.createObjectNode()
            .put("CustomerAWSAccountId", customer.awsAccountId())
            .put("ProductCode", customer.productCode());
    if (customer.customerIdentifier() != null) {
      response.put("CustomerIdentifier", customer.customerIdentifier());
    }
    if (customer.licenseArn() != null) {
      response.put("LicenseArn", customer.licenseArn());
    }
    return response;
  }

  private ObjectNode batchMeterUsage(JsonNode request) {
    Instant now = clock.instant();
    List<UsageLedger.Usage> usages =
        ledger.validate(request, customers, now, timestampWindow, allowedDimensions);
    String product = request.path("ProductCode").asText();
    int processed = usages.size() - faults.takeUnprocessed(usages.size());
    ObjectNode response = JSON.createObjectNode();
    ArrayNode results = response.putArray("Results");
    ArrayNode unprocessed = response.putArray("UnprocessedRecords");
    for (int i = 0; i < usages.size(); i++) {
      UsageLedger.Usage usage = usages.get(i);
      if (i < processed) {
        results.add(
            ledger.meter(
                product, usage, customers.isSubscribed(usage.account(), usage.licenseArn())));
      } else {
        unprocessed.add(usage.source().deepCopy());
      }
    }
    return response;
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(body);
      if (!node.isObject()) {
        throw new MeteringError("SerializationException", "The request body is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new MeteringError("SerializationException", "The request body is not JSON");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration duration) {
    if (!duration.isZero()) {
      try {
        Thread.sleep(duration.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "metering-standin-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
