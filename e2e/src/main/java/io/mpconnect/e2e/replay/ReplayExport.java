package io.mpconnect.e2e.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.util.JsonFormat;
import io.mpconnect.config.EncryptionCodec;
import io.mpconnect.config.Env;
import io.mpconnect.config.TemporalConnections;
import io.mpconnect.config.TemporalSettings;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Exports workflow histories from a running Temporal server into the committed replay fixtures
 * ({@code workflows/src/test/resources/replay}), where {@code OnboardingReplayTest} replays every
 * {@code onboarding-*.json} against the current workflow code.
 *
 * <p>Run it with {@code bin/export-replay-histories} (see docs/operations.md). It connects like the
 * worker does (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, and TEMPORAL_API_KEY or TEMPORAL_TLS_CERT +
 * TEMPORAL_TLS_KEY for Temporal Cloud); options override the address and namespace.
 *
 * <p>Histories hold the workflow's inputs and activity results. Before a history is written, the
 * registration token and every e-mail address in its JSON payloads are replaced with placeholders
 * ({@link #redact}): the workflow never branches on them, so the history still replays, and no
 * customer's token or address lands in the repository. Payloads encrypted by the workers are
 * decrypted first with the exporter's own keys (PAYLOAD_KEYS...): a production key never reaches
 * the tests. {@code --keep-encrypted} writes them as they are, for histories recorded with the
 * committed test key (workflows/src/test/resources/payload-keys-TEST-ONLY.txt).
 */
public final class ReplayExport {
  public static final String DEFAULT_QUERY =
      "WorkflowType = 'OnboardingWorkflow' AND ExecutionStatus = 'Completed'";
  static final String REDACTED_TOKEN = "redacted-registration-token";
  static final String REDACTED_EMAIL = "redacted@example.invalid";
  private static final Set<String> TOKEN_FIELDS = Set.of("registrationToken", "token");
  private static final Set<String> EMAIL_FIELDS = Set.of("email");
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    Map<String, String> options = parse(args);
    if (options.containsKey("help")) {
      System.out.println(usage());
      return;
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    if (options.containsKey("address")) {
      env.put("TEMPORAL_ADDRESS", options.get("address"));
    }
    if (options.containsKey("namespace")) {
      env.put("TEMPORAL_NAMESPACE", options.get("namespace"));
    }
    TemporalSettings settings = TemporalSettings.from(new Env(env));
    Path out = Path.of(options.getOrDefault("out", "workflows/src/test/resources/replay"));
    String query = options.getOrDefault("query", DEFAULT_QUERY);
    int limit = Integer.parseInt(options.getOrDefault("limit", "20"));
    String prefix = options.getOrDefault("prefix", "onboarding-realserver-");
    WorkflowServiceStubs service = TemporalConnections.connect(settings);
    try {
      WorkflowClient client = TemporalConnections.client(service, settings);
      List<Path> written = exportMatching(client, query, limit, out, prefix,
          options.containsKey("keep-encrypted"));
      System.out.printf("exported %d histories from %s (namespace %s) into %s%n",
          written.size(), settings.address(), settings.namespace(), out);
      written.forEach(p -> System.out.println("  " + p.getFileName()));
    } finally {
      service.shutdown();
    }
  }

  /**
   * Exports up to {@code limit} closed executions matching a List Filter; each file is named
   * {@code <prefix><outcome>-<first 8 characters of the onboarding id>.json}.
   */
  public static List<Path> exportMatching(WorkflowClient client, String query, int limit,
      Path directory, String prefix, boolean keepEncrypted) {
    List<Path> written = new ArrayList<>();
    ListWorkflowExecutionsResponse page =
        client.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(
            ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setQuery(query)
                .setPageSize(Math.min(limit, 1000))
                .build());
    for (WorkflowExecutionInfo info : page.getExecutionsList()) {
      if (written.size() >= limit) {
        break;
      }
      String workflowId = info.getExecution().getWorkflowId();
      String outcome = keyword(info, "OnboardingOutcome");
      String suffix = workflowId.replaceFirst("^[a-z]+-", "");
      String name = prefix + (outcome == null ? "closed" : outcome.toLowerCase(Locale.ROOT))
          + "-" + suffix.substring(0, Math.min(8, suffix.length()));
      written.add(export(client, workflowId, directory.resolve(name + ".json"), keepEncrypted));
    }
    return written;
  }

  /** Fetches one history, decrypts and redacts it, and writes it as the SDK's JSON. */
  public static Path export(WorkflowClient client, String workflowId, Path file) {
    return export(client, workflowId, file, false);
  }

  /**
   * As {@link #export(WorkflowClient, String, Path)}; with {@code keepEncrypted} the encrypted
   * payloads stay as the server holds them (only plain ones are redacted).
   */
  public static Path export(WorkflowClient client, String workflowId, Path file,
      boolean keepEncrypted) {
    String json = client.fetchHistory(workflowId).toJson(true);
    // The client's data converter is the workers' (TemporalConnections): it holds the keys.
    PayloadCodec codec = keepEncrypted ? null : (PayloadCodec) client.getOptions().getDataConverter();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, redact(json, codec), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Replaces tokens and e-mail addresses inside every JSON payload of a history, after decrypting
   * the encrypted ones with {@code codec} (null: encrypted payloads are kept as they are).
   */
  public static String redact(String historyJson, PayloadCodec codec) {
    try {
      JsonNode root = JSON.readTree(historyJson);
      redactPayloads(root, codec);
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void redactPayloads(JsonNode node, PayloadCodec codec) throws IOException {
    if (node instanceof ObjectNode object) {
      JsonNode metadata = object.get("metadata");
      if (codec != null && metadata != null && metadata.has("encoding")
          && decoded(metadata.get("encoding")).equals(EncryptionCodec.ENCODING)) {
        Payload.Builder sealed = Payload.newBuilder();
        JsonFormat.parser().merge(JSON.writeValueAsString(object), sealed);
        Payload plain = codec.decode(List.of(sealed.build())).get(0);
        object.removeAll();
        object.setAll((ObjectNode) JSON.readTree(JsonFormat.printer().print(plain)));
        metadata = object.get("metadata");
      }
      JsonNode data = object.get("data");
      if (metadata != null && metadata.has("encoding") && data != null && data.isTextual()) {
        String encoding = decoded(metadata.get("encoding"));
        if (encoding.equals("json/plain")) {
          JsonNode value = JSON.readTree(Base64.getDecoder().decode(data.asText()));
          if (redactValue(value)) {
            object.put("data", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(value)));
          }
        }
        return;
      }
      for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
        redactPayloads(it.next(), codec);
      }
    } else if (node != null && node.isArray()) {
      for (JsonNode element : node) {
        redactPayloads(element, codec);
      }
    }
  }

  private static String decoded(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }

  /** True when something was replaced. */
  private static boolean redactValue(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode value = field.getValue();
        if (value.isTextual() && TOKEN_FIELDS.contains(field.getKey())) {
          field.setValue(TextNode.valueOf(REDACTED_TOKEN));
          changed = true;
        } else if (value.isTextual() && (EMAIL_FIELDS.contains(field.getKey())
            || value.asText().matches("[^@\\s\"]+@[^@\\s\"]+\\.[a-zA-Z]{2,}"))) {
          field.setValue(TextNode.valueOf(REDACTED_EMAIL));
          changed = true;
        } else {
          changed |= redactValue(value);
        }
      }
    } else if (node != null && node.isArray()) {
      for (JsonNode element : node) {
        changed |= redactValue(element);
      }
    }
    return changed;
  }

  private static String keyword(WorkflowExecutionInfo info, String name) {
    Payload payload = info.getSearchAttributes().getIndexedFieldsMap().get(name);
    return payload == null
        ? null
        : DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        options.put("help", "");
      } else if (arg.startsWith("--") && i + 1 < args.length) {
        options.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + arg + "\n" + usage());
      }
    }
    return options;
  }

  static String usage() {
    return String.join("\n",
        "bin/export-replay-histories [--address host:port] [--namespace ns] [--query 'List Filter']",
        "                            [--limit 20] [--out dir] [--prefix onboarding-realserver-]",
        "                            [--keep-encrypted true]",
        "Defaults: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE from the environment (TEMPORAL_API_KEY or",
        "TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY for Temporal Cloud), the query",
        "  " + DEFAULT_QUERY + ",",
        "and out = workflows/src/test/resources/replay. Payloads are decrypted with PAYLOAD_KEYS",
        "(or PAYLOAD_KEYS_FILE), then tokens and e-mail addresses are redacted; --keep-encrypted",
        "keeps encrypted payloads as they are (only for histories under the committed test key).");
  }

  private ReplayExport() {}
}
