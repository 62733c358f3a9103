package io.mpconnect.standins.entitlements;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local stand-in for the AWS Marketplace Entitlement Service's GetEntitlements, over its JSON 1.1
 * protocol ({@code POST /}, {@code X-Amz-Target: AWSMPEntitlementService.GetEntitlements}). It
 * checks that the request is SigV4-signed for the signing name {@code aws-marketplace} (the
 * Authorization header's credential scope; the signature itself is not verified), accepts the
 * filters CUSTOMER_AWS_ACCOUNT_ID, CUSTOMER_IDENTIFIER (not both), LICENSE_ARN and DIMENSION,
 * pages by {@code MaxResults} (1 to 25, AWS's range) and {@code NextToken}, and answers errors as
 * AWS does ({@code {"__type": "...Exception", "message": ...}}).
 *
 * <p>Tests set the entitlements per account and license ({@link #put}) and queue errors ({@link
 * #failNext}). Thread-safe.
 */
public final class EntitlementStandIn implements AutoCloseable {
  public static final String TARGET = "AWSMPEntitlementService.GetEntitlements";
  /** The filter keys of AWS's current reference. */
  public static final Set<String> FILTER_KEYS =
      Set.of("CUSTOMER_IDENTIFIER", "CUSTOMER_AWS_ACCOUNT_ID", "LICENSE_ARN", "DIMENSION");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  /** One entitlement as a test sets it; exactly one value is non-null. */
  public record Entitlement(
      String productCode,
      String awsAccountId,
      String licenseArn,
      String dimension,
      Long integerValue,
      Double doubleValue,
      Boolean booleanValue,
      String stringValue,
      Instant expirationDate) {

    public static Entitlement ofInteger(
        String productCode, String account, String licenseArn, String dimension, long value,
        Instant expires) {
      return new Entitlement(productCode, account, licenseArn, dimension, value, null, null, null,
          expires);
    }
  }

  /** One request as the stand-in received it (for assertions). */
  public record Call(String target, String authorization, JsonNode body, int status) {}

  private final List<Entitlement> entitlements = new CopyOnWriteArrayList<>();
  private final Deque<String[]> failures = new ConcurrentLinkedDeque<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> issuedTokens = new ConcurrentHashMap<>();
  private HttpServer server;

  public static EntitlementStandIn start() {
    EntitlementStandIn standIn = new EntitlementStandIn();
    try {
      standIn.server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    standIn.server.createContext("/", standIn::handle);
    standIn.server.setExecutor(Executors.newFixedThreadPool(2));
    standIn.server.start();
    return standIn;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public void put(Entitlement entitlement) {
    entitlements.add(entitlement);
  }

  /** The next request fails with this AWS error type (e.g. {@code ThrottlingException}). */
  public void failNext(int status, String type, String message) {
    failures.add(new String[] {Integer.toString(status), type, message});
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public void reset() {
    entitlements.clear();
    failures.clear();
    calls.clear();
    issuedTokens.clear();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    byte[] raw = exchange.getRequestBody().readAllBytes();
    JsonNode body = null;
    int status;
    ObjectNode answer;
    try {
      if (!"POST".equals(exchange.getRequestMethod())) {
        throw new AwsError(400, "UnknownOperationException", "Only POST / is served.");
      }
      if (authorization == null
          || !authorization.startsWith("AWS4-HMAC-SHA256 ")
          || !authorization.contains("/aws-marketplace/aws4_request")) {
        throw new AwsError(403, "MissingAuthenticationTokenException",
            "Request is missing a SigV4 Authorization header for aws-marketplace.");
      }
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType == null || !contentType.startsWith(CONTENT_TYPE)) {
        throw new AwsError(400, "SerializationException", "Content-Type must be " + CONTENT_TYPE);
      }
      if (!TARGET.equals(target)) {
        throw new AwsError(400, "UnknownOperationException", "Unknown target " + target);
      }
      try {
        body = JSON.readTree(raw);
      } catch (IOException e) {
        throw new AwsError(400, "SerializationException", "Body is not JSON.");
      }
      String[] failure = failures.poll();
      if (failure != null) {
        throw new AwsError(Integer.parseInt(failure[0]), failure[1], failure[2]);
      }
      answer = getEntitlements(body);
      status = 200;
    } catch (AwsError e) {
      status = e.status;
      answer = JSON.createObjectNode().put("__type", e.type).put("message", e.getMessage());
    }
    calls.add(new Call(target, authorization, body, status));
    byte[] bytes = JSON.writeValueAsBytes(answer);
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private ObjectNode getEntitlements(JsonNode body) {
    String productCode = text(body, "ProductCode");
    if (productCode == null || productCode.isEmpty() || productCode.length() > 255) {
      throw new AwsError(400, "InvalidParameterException", "ProductCode is required.");
    }
    JsonNode filter = body.get("Filter");
    if (filter != null && !filter.isObject()) {
      throw new AwsError(400, "InvalidParameterException", "Filter must be a map.");
    }
    if (filter != null) {
      for (Iterator<String> it = filter.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!FILTER_KEYS.contains(key)) {
          throw new AwsError(400, "InvalidParameterException", "Unknown filter key " + key);
        }
        if (!filter.get(key).isArray() || filter.get(key).isEmpty()) {
          throw new AwsError(400, "InvalidParameterException", key + " needs at least one value.");
        }
      }
      if (filter.has("CUSTOMER_IDENTIFIER") && filter.has("CUSTOMER_AWS_ACCOUNT_ID")) {
        throw new AwsError(400, "InvalidParameterException",
            "CustomerIdentifier and CustomerAWSAccountID are mutually exclusive.");
      }
    }
    int max = body.has("MaxResults") ? body.get("MaxResults").asInt() : 25;
    if (max < 1 || max > 25) {
      throw new AwsError(400, "InvalidParameterException", "MaxResults must be 1 to 25.");
    }
    List<Entitlement> matching = new ArrayList<>();
    for (Entitlement e : entitlements) {
      if (productCode.equals(e.productCode())
          && matches(filter, "CUSTOMER_AWS_ACCOUNT_ID", e.awsAccountId())
          && matches(filter, "LICENSE_ARN", e.licenseArn())
          && matches(filter, "DIMENSION", e.dimension())
          && (filter == null || !filter.has("CUSTOMER_IDENTIFIER"))) {
        matching.add(e);
      }
    }
    int from = 0;
    String token = text(body, "NextToken");
    if (token != null) {
      Integer offset = issuedTokens.get(token);
      if (offset == null) {
        throw new AwsError(400, "InvalidParameterException", "Invalid NextToken.");
      }
      from = offset;
    }
    int to = Math.min(matching.size(), from + max);
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode list = answer.putArray("Entitlements");
    for (Entitlement e : matching.subList(Math.min(from, to), to)) {
      ObjectNode node = list.addObject();
      node.put("ProductCode", e.productCode());
      node.put("Dimension", e.dimension());
      node.put("CustomerAWSAccountId", e.awsAccountId());
      if (e.licenseArn() != null) {
        node.put("LicenseArn", e.licenseArn());
      }
      ObjectNode value = node.putObject("Value");
      if (e.integerValue() != null) {
        value.put("IntegerValue", e.integerValue());
      } else if (e.doubleValue() != null) {
        value.put("DoubleValue", e.doubleValue());
      } else if (e.booleanValue() != null) {
        value.put("BooleanValue", e.booleanValue());
      } else if (e.stringValue() != null) {
        value.put("StringValue", e.stringValue());
      }
      if (e.expirationDate() != null) {
        // JSON 1.1 timestamps: epoch seconds, fractional.
        node.put("ExpirationDate",
            BigDecimal.valueOf(e.expirationDate().toEpochMilli()).movePointLeft(3));
      }
    }
    if (to < matching.size()) {
      String next = "page-" + java.util.UUID.randomUUID();
      issuedTokens.put(next, to);
      answer.put("NextToken", next);
    }
    return answer;
  }

  private static boolean matches(JsonNode filter, String key, String value) {
    if (filter == null || !filter.has(key)) {
      return true;
    }
    for (JsonNode wanted : filter.get(key)) {
      if (wanted.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value == null || !value.isTextual() ? null : value.asText();
  }

  private static final class AwsError extends RuntimeException {
    final int status;
    final String type;

    AwsError(int status, String type, String message) {
      super(message);
      this.status = status;
      this.type = type;
    }
  }
}
