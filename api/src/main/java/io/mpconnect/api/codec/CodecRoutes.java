package io.mpconnect.api.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.api.session.Session;
import io.mpconnect.api.session.Sessions;
import io.mpconnect.api.web.BearerTokens;
import io.mpconnect.api.web.Json;
import io.mpconnect.config.EncryptionCodec;
import io.mpconnect.config.PayloadKeys;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codec server of the Temporal Web UI and CLI ({@code POST /codec/encode}, {@code POST
 * /codec/decode}): Temporal's remote codec protocol, {@code {"payloads": [...]}} as protobuf JSON
 * in and out, through the same {@link EncryptionCodec} and keys as the worker.
 *
 * <p>Decoding hands out what encryption hides, so it answers only support staff signed in with an
 * OIDC provider whose verified e-mail is on SUPPORT_EMAILS (the session says so since sign-in), or
 * tools with the admin token. Browsers may call it from the Web UI's origins (CODEC_CORS_ORIGIN)
 * with credentials; a request from any other origin is refused, so another site on the same host
 * cannot use a support person's cookie.
 */
public final class CodecRoutes {
  public static final String ENCODE = "/codec/encode";
  public static final String DECODE = "/codec/decode";
  private static final Logger log = LoggerFactory.getLogger(CodecRoutes.class);
  // With default values, so no payloads is "payloads": [], as the description promises.
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().includingDefaultValueFields().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EncryptionCodec codec;
  private final Sessions sessions;
  private final String adminToken;
  private final String namespace;
  private final List<String> allowedOrigins;

  public CodecRoutes(PayloadKeys keys, Sessions sessions, String adminToken, String namespace,
      List<String> allowedOrigins) {
    this.codec = new EncryptionCodec(keys);
    this.sessions = sessions;
    this.adminToken = adminToken;
    this.namespace = namespace;
    this.allowedOrigins = List.copyOf(allowedOrigins);
  }

  public void register(Javalin app) {
    app.options(ENCODE, this::preflight);
    app.options(DECODE, this::preflight);
    app.post(ENCODE, ctx -> serve(ctx, "encode", codec::encode));
    app.post(DECODE, ctx -> serve(ctx, "decode", codec::decode));
  }

  /** The browser asks before a cross-origin JSON POST with credentials. */
  private void preflight(Context ctx) {
    if (!corsAllowed(ctx)) {
      return;
    }
    ctx.header("Access-Control-Allow-Methods", "POST, OPTIONS");
    // What the Web UI sends: JSON, the namespace, and (with passAccessToken) its own token.
    ctx.header("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization");
    ctx.header("Access-Control-Max-Age", "600");
    ctx.status(204);
  }

  private void serve(Context ctx, String operation, UnaryOperator<List<Payload>> transform) {
    if (!corsAllowed(ctx)) {
      return;
    }
    Optional<String> caller = caller(ctx);
    if (caller.isEmpty()) {
      return;
    }
    String asked = ctx.header("X-Namespace");
    if (asked != null && !asked.isBlank() && !asked.strip().equals(namespace)) {
      ctx.status(400).json(Json.message("This codec serves namespace " + namespace + "."));
      return;
    }
    Payloads.Builder payloads = Payloads.newBuilder();
    try {
      // Protobuf JSON takes null, or nothing, for "the default"; the protocol (the Web UI, the
      // CLI) always sends the list and never a null.
      JsonNode body = JSON.readTree(ctx.body());
      if (body == null || !body.path("payloads").isArray() || hasNull(body)) {
        throw new InvalidProtocolBufferException("no payloads list, or a null");
      }
      PARSER.merge(ctx.body(), payloads);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      ctx.status(400).json(Json.message("Send {\"payloads\": [...]} as Temporal's protobuf JSON."));
      return;
    }
    List<Payload> result;
    try {
      result = transform.apply(payloads.getPayloadsList());
    } catch (PayloadCodecException e) {
      log.warn("codec {} refused for {}: {}", operation, caller.get(), e.getMessage());
      ctx.status(422).json(Json.message(e.getMessage()));
      return;
    }
    // Who read how much, never what: the audit trail of decoded histories.
    log.info("codec {} of {} payloads for {}", operation, result.size(), caller.get());
    try {
      ctx.contentType("application/json")
          .result(PRINTER.print(Payloads.newBuilder().addAllPayloads(result)));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Payloads always print", e);
    }
  }

  /**
   * A tool with the admin token, or support staff by session (the Web UI may also send its own
   * access token, which is not ours to check); else answers 401 (nobody) or 403 (signed in, not
   * support) and returns empty.
   */
  private Optional<String> caller(Context ctx) {
    if (BearerTokens.matches(ctx, adminToken)) {
      return Optional.of("the admin token");
    }
    Session.SignedIn user = sessions.read(ctx).map(Session::user).orElse(null);
    if (user == null) {
      ctx.header("WWW-Authenticate", "Bearer");
      ctx.status(401).json(Json.message("Sign in as support staff first, or send the admin"
          + " token."));
      return Optional.empty();
    }
    if (!user.support()) {
      ctx.status(403).json(Json.message("Only support staff (SUPPORT_EMAILS) may use the codec."));
      return Optional.empty();
    }
    // The subject hashed: an audit trail that never holds an e-mail address (some providers'
    // subjects are one).
    return Optional.of("support user " + user.provider() + "/" + subjectHash(user.subject()));
  }

  private static String subjectHash(String subject) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(subject.getBytes(StandardCharsets.UTF_8));
      return "sub-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always there", e);
    }
  }

  private static boolean hasNull(JsonNode node) {
    if (node == null || node.isNull()) {
      return true;
    }
    for (JsonNode child : node) {
      if (hasNull(child)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Same-origin calls (no Origin header: tools, the CLI) pass; a browser's cross-origin call
   * passes only from an allowed origin, which the answer then names. Anything else: 403.
   */
  private boolean corsAllowed(Context ctx) {
    String origin = ctx.header("Origin");
    ctx.header("Vary", "Origin");
    if (origin == null) {
      return true;
    }
    if (!allowedOrigins.contains(origin)) {
      ctx.status(403).json(Json.message("Origin " + origin + " may not use this codec"
          + " (CODEC_CORS_ORIGIN)."));
      return false;
    }
    ctx.header("Access-Control-Allow-Origin", origin);
    ctx.header("Access-Control-Allow-Credentials", "true");
    return true;
  }
}
