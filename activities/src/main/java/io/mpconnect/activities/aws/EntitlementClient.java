package io.mpconnect.activities.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mpconnect.config.Env;
import io.mpconnect.workflows.messages.EntitlementLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * GetEntitlements of the AWS Marketplace Entitlement Service, over AWS's JSON 1.1 protocol, through
 * the AWS SDK's own HTTP client and SigV4 signer (the SDK module {@code
 * marketplaceentitlementservice} is not available here). One call per page: {@code POST /} with
 * {@code X-Amz-Target: AWSMPEntitlementService.GetEntitlements}, signed for {@code
 * aws-marketplace}; every page is read through {@code NextToken}.
 *
 * <p>Endpoint: {@value #ENDPOINT_VARIABLE} (the SDK's own override variable for the service id
 * "Marketplace Entitlement Service"), else {@code https://entitlement.marketplace.<region>.amazonaws.com}
 * (AWS serves it in us-east-1 only). No retries here: Temporal's activity retry policy owns them.
 */
public final class EntitlementClient implements AutoCloseable {
  public static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_MARKETPLACE_ENTITLEMENT_SERVICE";
  public static final String TARGET = "AWSMPEntitlementService.GetEntitlements";
  public static final String SIGNING_NAME = "aws-marketplace";
  /** AWS's maximum page size. */
  static final int PAGE_SIZE = 25;
  /** A bound on pages per read, so a looping NextToken can never hold an activity forever. */
  static final int MAX_PAGES = 400;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** An error AWS answered ({@code __type}), or the HTTP status when it named none. */
  public static final class EntitlementServiceException extends RuntimeException {
    private final int status;
    private final String type;

    EntitlementServiceException(int status, String type, String message) {
      super(type + " (HTTP " + status + "): " + message);
      this.status = status;
      this.type = type;
    }

    public int status() {
      return status;
    }

    /** AWS's error type without namespace, e.g. {@code ThrottlingException}. */
    public String type() {
      return type;
    }

    /** Throttling, AWS internal errors, any 5xx and an unreadable answer: worth another attempt. */
    public boolean retryable() {
      return status >= 500
          || status / 100 == 2
          || status == 429
          || "ThrottlingException".equals(type)
          || "InternalServiceErrorException".equals(type);
    }

    /** AWS said the request itself is wrong (InvalidParameterException, validation). */
    public boolean invalidParameter() {
      return "InvalidParameterException".equals(type)
          || "ValidationException".equals(type)
          || "SerializationException".equals(type);
    }
  }

  private final SdkHttpClient http;
  private final AwsCredentialsProvider credentials;
  private final Region region;
  private final URI endpoint;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  public EntitlementClient(
      SdkHttpClient http, AwsCredentialsProvider credentials, Region region, URI endpoint) {
    this.http = http;
    this.credentials = credentials;
    this.region = region;
    this.endpoint = endpoint;
  }

  /** From the environment: region, credentials and endpoint as every AWS client here reads them. */
  public static EntitlementClient create(Env env) {
    Region region = AwsEnvironment.region(env);
    URI endpoint =
        AwsEnvironment.endpoint(env, ENDPOINT_VARIABLE)
            .orElse(URI.create("https://entitlement.marketplace." + region.id() + ".amazonaws.com"));
    SdkHttpClient http =
        UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(20))
            .build();
    return new EntitlementClient(http, AwsEnvironment.credentials(env), region, endpoint);
  }

  public URI endpoint() {
    return endpoint;
  }

  /**
   * Every entitlement of the customer's account (filter CUSTOMER_AWS_ACCOUNT_ID) and, when {@code
   * licenseArn} is set, of that license (filter LICENSE_ARN), all pages.
   *
   * @throws EntitlementServiceException when AWS answers an error
   * @throws UncheckedIOException when the call fails on the network
   */
  public List<EntitlementLine> getEntitlements(
      String productCode, String awsAccountId, String licenseArn) {
    List<EntitlementLine> all = new ArrayList<>();
    String token = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      ObjectNode request = JSON.createObjectNode().put("ProductCode", productCode);
      ObjectNode filter = request.putObject("Filter");
      filter.putArray("CUSTOMER_AWS_ACCOUNT_ID").add(awsAccountId);
      if (licenseArn != null) {
        filter.putArray("LICENSE_ARN").add(licenseArn);
      }
      request.put("MaxResults", PAGE_SIZE);
      if (token != null) {
        request.put("NextToken", token);
      }
      JsonNode answer = call(request);
      JsonNode list = answer.get("Entitlements");
      if (list != null && list.isArray()) {
        for (JsonNode e : list) {
          all.add(line(e, productCode, awsAccountId, licenseArn));
        }
      }
      JsonNode next = answer.get("NextToken");
      token = next == null || !next.isTextual() || next.asText().isEmpty() ? null : next.asText();
      if (token == null) {
        return all;
      }
    }
    throw new EntitlementServiceException(
        200, "TooManyPages", "more than " + MAX_PAGES + " pages of entitlements");
  }

  private static EntitlementLine line(
      JsonNode e, String productCode, String awsAccountId, String licenseArn) {
    String type = null;
    String value = null;
    JsonNode v = e.get("Value");
    if (v != null && v.isObject()) {
      if (v.hasNonNull("IntegerValue")) {
        type = "INTEGER";
        value = v.get("IntegerValue").asText();
      } else if (v.hasNonNull("DoubleValue")) {
        type = "DOUBLE";
        value = v.get("DoubleValue").asText();
      } else if (v.hasNonNull("BooleanValue")) {
        type = "BOOLEAN";
        value = Boolean.toString(v.get("BooleanValue").asBoolean());
      } else if (v.hasNonNull("StringValue")) {
        type = "STRING";
        value = v.get("StringValue").asText();
      }
    }
    String arn = text(e, "LicenseArn");
    return new EntitlementLine(
        firstNonNull(text(e, "ProductCode"), productCode),
        firstNonNull(text(e, "CustomerAWSAccountId"), awsAccountId),
        firstNonNull(arn, licenseArn),
        text(e, "Dimension"),
        type,
        value,
        timestamp(e.get("ExpirationDate")));
  }

  /** JSON 1.1 timestamps are epoch seconds (possibly fractional); ISO-8601 text is accepted too. */
  private static Instant timestamp(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      BigDecimal millis = node.decimalValue().movePointRight(3);
      return Instant.ofEpochMilli(millis.longValue());
    }
    return Instant.parse(node.asText());
  }

  private JsonNode call(ObjectNode request) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SdkHttpRequest unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(endpoint.resolve("/"))
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", TARGET)
            .putHeader("Content-Length", Integer.toString(body.length))
            .build();
    SignedRequest signed =
        signer.sign(
            r ->
                r.identity(credentials.resolveCredentials())
                    .request(unsigned)
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
    HttpExecuteResponse response;
    byte[] answer;
    try {
      response =
          http.prepareRequest(
                  HttpExecuteRequest.builder()
                      .request(signed.request())
                      .contentStreamProvider(signed.payload().orElse(null))
                      .build())
              .call();
      answer = response.responseBody().isPresent() ? readAll(response.responseBody().get()) : new byte[0];
    } catch (IOException e) {
      throw new UncheckedIOException("GetEntitlements: " + e.getMessage(), e);
    }
    int status = response.httpResponse().statusCode();
    JsonNode json;
    try {
      json = answer.length == 0 ? JSON.createObjectNode() : JSON.readTree(answer);
    } catch (IOException e) {
      if (status / 100 == 2) {
        throw new EntitlementServiceException(status, "MalformedResponse", "answer is not JSON");
      }
      json = JSON.createObjectNode();
    }
    if (status / 100 == 2) {
      return json;
    }
    String type = text(json, "__type");
    if (type == null) {
      type = response.httpResponse().firstMatchingHeader("x-amzn-ErrorType").orElse("HTTP" + status);
    }
    // AWS may prefix the type with its namespace ("aws.marketplace#ThrottlingException") or append
    // ":" and a URL.
    type = type.substring(type.lastIndexOf('#') + 1);
    int colon = type.indexOf(':');
    if (colon > 0) {
      type = type.substring(0, colon);
    }
    String message = firstNonNull(text(json, "message"), text(json, "Message"));
    throw new EntitlementServiceException(status, type, message == null ? "" : message);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value == null || !value.isTextual() ? null : value.asText();
  }

  private static <T> T firstNonNull(T a, T b) {
    return a != null ? a : b;
  }

  @Override
  public void close() {
    http.close();
  }
}
