package io.mpconnect.activities.aws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;
import software.amazon.awssdk.services.marketplacemetering.model.ResolveCustomerResponse;

/**
 * What AWS Marketplace Metering's current model (Concurrent Agreements, API change of 2026-02-26)
 * puts on the wire and the {@code software.amazon.awssdk:marketplacemetering} module served here
 * (2.41.4) does not model: {@code LicenseArn} in ResolveCustomer's answer; later {@code
 * LicenseArn} and {@code CustomerAWSAccountId} in each BatchMeterUsage UsageRecord, its raw
 * per-record results and {@code InvalidLicenseException}. The SDK client stays what it is
 * (signing, endpoints, {@code AWS_ENDPOINT_URL_MARKETPLACE_METERING}, typed exceptions); this
 * interceptor only adds the missing fields on the wire.
 *
 * <p><b>Delete this class when a {@code marketplacemetering} module that models LicenseArn is
 * served</b>: then read {@code ResolveCustomerResponse.licenseArn()}, set {@code
 * UsageRecord.licenseArn(...)}, catch {@code InvalidLicenseException}, and drop the {@link Call}s
 * the callers attach and the registration in {@link MeteringClients}.
 *
 * <p>How it works. Nothing happens to a call unless its request carries a {@link Call} (put there
 * by {@link Call#attach}), so every other call is untouched. For a call that carries one:
 *
 * <ul>
 *   <li>the raw response body (success or error) is buffered, handed to the SDK byte for byte
 *       as it came, and parsed into the {@link Call} ({@link Call#responseBody}, {@link
 *       Call#responseText}, {@link Call#errorType}). A body that is not JSON, has unexpected
 *       fields, or is empty is passed on unchanged and never fails the call: the SDK's own
 *       unmarshalling and exceptions are exactly what they would be without this class;
 *   <li>when the {@link Call} was made with {@link Call#editingRequest}, the JSON request body the
 *       SDK marshalled is handed to that edit before it is signed and sent (with a matching
 *       Content-Length). This is the seam for BatchMeterUsage: the edit adds {@code LicenseArn}
 *       and {@code CustomerAWSAccountId} to each element of {@code UsageRecords} (in the order the
 *       SDK was given them) and removes {@code CustomerIdentifier}; the raw {@code Results} /
 *       {@code UnprocessedRecords} and an {@code InvalidLicenseException} are then read from the
 *       same {@link Call}.
 * </ul>
 *
 * <p>For the synchronous client only (the one {@link MeteringClients} builds). Stateless and
 * thread-safe: each call's state lives in its own {@link Call}.
 */
public final class MeteringWireExtensions implements ExecutionInterceptor {
  /** The per-call holder, put into the request's execution attributes by {@link Call#attach}. */
  static final ExecutionAttribute<Call> CALL =
      new ExecutionAttribute<>("io.mpconnect.MeteringWireExtensions.Call");

  private static final ExecutionAttribute<byte[]> EDITED_BODY =
      new ExecutionAttribute<>("io.mpconnect.MeteringWireExtensions.EditedBody");

  /** Metering answers are a few KB at most; a larger body is passed on but not parsed. */
  static final int MAX_PARSED_BYTES = 1 << 20;

  private static final String JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

  /** Exact numbers (BatchMeterUsage timestamps are epoch seconds with a fraction). */
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  /** The ResolveCustomer answer with what the SDK model lacks. */
  public record ResolvedOnTheWire(ResolveCustomerResponse response, String licenseArn) {}

  /**
   * ResolveCustomer through {@code client} (which must have this interceptor, as {@link
   * MeteringClients#create} builds it), with the LicenseArn the SDK model drops: null when AWS
   * sent none (the legacy model). The SDK's exceptions pass through unchanged.
   *
   * @throws IllegalStateException if {@code client} lacks this interceptor, instead of silently
   *     answering without a LicenseArn
   */
  public static ResolvedOnTheWire resolveCustomer(
      MarketplaceMeteringClient client, String registrationToken) {
    Call call = Call.readingResponse();
    ResolveCustomerResponse response =
        client.resolveCustomer(
            r -> r.registrationToken(registrationToken).overrideConfiguration(call::attach));
    call.requireIntercepted();
    return new ResolvedOnTheWire(response, call.responseText("LicenseArn"));
  }

  /**
   * How one BatchMeterUsage UsageRecord names its customer on the wire: always by {@code
   * CustomerAWSAccountId} (AWS deprecated {@code CustomerIdentifier} for every listing), plus the
   * {@code LicenseArn} the record bills on AWS's current model (null for a legacy listing).
   */
  public record RecordIdentity(String awsAccountId, String licenseArn) {
    public RecordIdentity {
      if (awsAccountId == null || awsAccountId.isBlank()) {
        throw new IllegalArgumentException("a usage record names its CustomerAWSAccountId");
      }
      if (licenseArn != null && licenseArn.isBlank()) {
        licenseArn = null;
      }
    }
  }

  /**
   * A {@link Call} for one BatchMeterUsage whose {@code UsageRecords} are given, in the order the
   * SDK request lists them, {@code identities}: each element gets {@code CustomerAWSAccountId}
   * and, when set, {@code LicenseArn}, and loses any {@code CustomerIdentifier}. The response
   * (raw {@code Results} with their LicenseArn, {@link Call#errorType()} such as {@code
   * InvalidLicenseException}) is read into the same call.
   *
   * @throws IllegalStateException (from the call) if the marshalled request has another number
   *     of records than {@code identities}: never sent half-named
   */
  public static Call batchMeterUsageCall(List<RecordIdentity> identities) {
    List<RecordIdentity> copy = List.copyOf(identities);
    return Call.editingRequest(body -> nameRecords(body, copy));
  }

  static void nameRecords(ObjectNode body, List<RecordIdentity> identities) {
    JsonNode records = body.get("UsageRecords");
    int size = records instanceof ArrayNode array ? array.size() : 0;
    if (size != identities.size()) {
      throw new IllegalStateException(
          "BatchMeterUsage marshalled " + size + " UsageRecords for " + identities.size()
              + " identities");
    }
    for (int i = 0; i < size; i++) {
      if (!(records.get(i) instanceof ObjectNode record)) {
        throw new IllegalStateException("a marshalled UsageRecord is not an object");
      }
      RecordIdentity identity = identities.get(i);
      record.remove("CustomerIdentifier");
      record.put("CustomerAWSAccountId", identity.awsAccountId());
      if (identity.licenseArn() != null) {
        record.put("LicenseArn", identity.licenseArn());
      } else {
        record.remove("LicenseArn");
      }
    }
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    Call call = attributes.getAttribute(CALL);
    if (call != null) {
      call.intercepted = true;
    }
  }

  /**
   * The Content-Length of the edited body, when the call asks for an edit. (The SDK calls this
   * and {@link #modifyHttpContent} in an order that differs between versions: the edit is made
   * by whichever comes first, once.)
   */
  @Override
  public SdkHttpRequest modifyHttpRequest(
      Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    byte[] edited = editedBody(context, attributes);
    if (edited == null) {
      return context.httpRequest();
    }
    return context.httpRequest().toBuilder()
        .putHeader("Content-Length", Integer.toString(edited.length))
        .build();
  }

  /** The edited JSON body, when the call asks for an edit; it is signed and sent as it is. */
  @Override
  public Optional<RequestBody> modifyHttpContent(
      Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    byte[] edited = editedBody(context, attributes);
    if (edited == null) {
      return context.requestBody();
    }
    return Optional.of(
        RequestBody.fromContentProvider(
            () -> new ByteArrayInputStream(edited), edited.length, JSON_CONTENT_TYPE));
  }

  private static byte[] editedBody(
      Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    Call call = attributes.getAttribute(CALL);
    if (call == null || call.requestEdit == null) {
      return null;
    }
    byte[] edited = attributes.getAttribute(EDITED_BODY);
    if (edited == null) {
      byte[] marshalled =
          context.requestBody().map(MeteringWireExtensions::bytesOf).orElse(new byte[0]);
      edited = edit(marshalled, call.requestEdit);
      attributes.putAttribute(EDITED_BODY, edited);
    }
    return edited;
  }

  /** Buffers the raw body for the call's {@link Call} and hands the SDK the same bytes. */
  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    Call call = attributes.getAttribute(CALL);
    Optional<InputStream> body = context.responseBody();
    if (call == null) {
      return body;
    }
    byte[] bytes;
    if (body.isPresent()) {
      try (InputStream in = body.get()) {
        bytes = in.readAllBytes();
      } catch (IOException e) {
        // What the SDK itself would have met reading the body: a client-side failure.
        throw SdkClientException.create("Cannot read the Marketplace Metering response", e);
      }
    } else {
      bytes = new byte[0];
    }
    call.record(context.httpResponse(), bytes);
    return body.isPresent() ? Optional.of(new ByteArrayInputStream(bytes)) : body;
  }

  private static byte[] edit(byte[] original, Consumer<ObjectNode> requestEdit) {
    JsonNode parsed;
    try {
      parsed = original.length == 0 ? JSON.createObjectNode() : JSON.readTree(original);
    } catch (IOException e) {
      throw new IllegalStateException("The SDK marshalled a request body that is not JSON", e);
    }
    if (!(parsed instanceof ObjectNode body)) {
      throw new IllegalStateException("The SDK marshalled a request body that is not an object");
    }
    requestEdit.accept(body);
    try {
      return JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytesOf(RequestBody body) {
    try (InputStream in = body.contentStreamProvider().newStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the marshalled request body", e);
    }
  }

  /**
   * One API call's view of the wire: attach a new one to each request with {@link #attach}, make
   * the call through a client with {@link MeteringWireExtensions}, then read what the SDK model
   * lacks. With SDK retries on, it holds the last attempt's answer.
   */
  public static final class Call {
    private final Consumer<ObjectNode> requestEdit;
    private final AtomicBoolean attached = new AtomicBoolean();
    private volatile boolean intercepted;
    private volatile boolean answered;
    private volatile int statusCode;
    private volatile JsonNode responseBody = MissingNode.getInstance();
    private volatile String errorType;

    private Call(Consumer<ObjectNode> requestEdit) {
      this.requestEdit = requestEdit;
    }

    /** A call whose response is read, its request sent as the SDK marshalled it. */
    public static Call readingResponse() {
      return new Call(null);
    }

    /**
     * A call whose marshalled JSON request body is handed to {@code edit} (a mutable object
     * node) before it is signed and sent; its response is read too.
     */
    public static Call editingRequest(Consumer<ObjectNode> edit) {
      return new Call(Objects.requireNonNull(edit, "edit"));
    }

    /**
     * Puts this holder on one request, e.g. {@code
     * client.resolveCustomer(r -> r.registrationToken(t).overrideConfiguration(call::attach))}.
     *
     * @throws IllegalStateException if it was attached before: a holder is for one call
     */
    public void attach(AwsRequestOverrideConfiguration.Builder override) {
      if (!attached.compareAndSet(false, true)) {
        throw new IllegalStateException("A MeteringWireExtensions.Call is for one call only");
      }
      override.putExecutionAttribute(CALL, this);
    }

    /** True once a client with {@link MeteringWireExtensions} started the call. */
    public boolean intercepted() {
      return intercepted;
    }

    /** True once a response (success or error) was read. */
    public boolean answered() {
      return answered;
    }

    /** The HTTP status of the response; 0 before one was read. */
    public int statusCode() {
      return statusCode;
    }

    /**
     * The response body as parsed JSON (a copy); a missing node when there was none, it was not
     * JSON, or it was larger than {@link #MAX_PARSED_BYTES}.
     */
    public JsonNode responseBody() {
      return responseBody.deepCopy();
    }

    /** A top-level text field of the response body; null when absent, not text, or blank. */
    public String responseText(String field) {
      JsonNode value = responseBody.get(field);
      boolean text = value != null && value.isTextual() && !value.asText().isBlank();
      return text ? value.asText() : null;
    }

    /** The LicenseArn of a ResolveCustomer answer, or null (legacy model). */
    public String licenseArn() {
      return responseText("LicenseArn");
    }

    /**
     * The AWS error code of an error response (e.g. {@code InvalidLicenseException}, which the
     * SDK model does not know and surfaces only as a generic exception), from the body's {@code
     * __type} or the {@code x-amzn-ErrorType} header; null for a success.
     */
    public String errorType() {
      return errorType;
    }

    /**
     * @throws IllegalStateException if the call went through a client without {@link
     *     MeteringWireExtensions} (its request edit and response reading never happened)
     */
    public void requireIntercepted() {
      if (!intercepted) {
        throw new IllegalStateException(
            "This Marketplace Metering client has no MeteringWireExtensions interceptor; build it"
                + " with MeteringClients.create");
      }
    }

    private void record(SdkHttpResponse response, byte[] body) {
      JsonNode parsed = MissingNode.getInstance();
      if (body.length > 0 && body.length <= MAX_PARSED_BYTES) {
        try {
          parsed = JSON.readTree(body);
        } catch (IOException | RuntimeException notJson) {
          // Passed on unchanged; the SDK decides what it makes of it.
        }
        if (parsed == null) {
          parsed = MissingNode.getInstance();
        }
      }
      this.responseBody = parsed;
      this.statusCode = response.statusCode();
      this.errorType = response.isSuccessful() ? null : errorTypeOf(response, parsed);
      this.answered = true;
    }

    /** JSON 1.1: {@code __type} may carry a namespace ({@code ...#Name}), the header {@code :...}. */
    private static String errorTypeOf(SdkHttpResponse response, JsonNode body) {
      JsonNode type = body.get("__type");
      if (type != null && type.isTextual() && !type.asText().isBlank()) {
        String name = type.asText();
        return name.substring(name.lastIndexOf('#') + 1);
      }
      return response
          .firstMatchingHeader("x-amzn-ErrorType")
          .map(header -> header.split(":", 2)[0].strip())
          .filter(header -> !header.isEmpty())
          .orElse(null);
    }
  }
}
