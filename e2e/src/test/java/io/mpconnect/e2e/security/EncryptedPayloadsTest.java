package io.mpconnect.e2e.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.mpconnect.config.EncryptionCodec;
import io.mpconnect.e2e.harness.Customer;
import io.mpconnect.e2e.harness.Stack;
import io.mpconnect.e2e.harness.SupportBrowser;
import io.mpconnect.e2e.harness.Waits;
import io.mpconnect.e2e.replay.ReplayExport;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.MarkerRecordedEventAttributes;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Payload encryption on the real server, with the worker and api as separate processes: what
 * reaches Temporal's history of an onboarding holds neither AWS's registration token nor the
 * customer's e-mail address (read by the CLI and by raw gRPC, both without the keys), and the
 * Temporal Web UI shows the decoded input to signed-in support staff through the api's codec
 * server, which refuses anonymous callers.
 *
 * <p>The stack runs on the committed TEST key of the replay fixtures, so the history recorded here
 * is written (encrypted, as the server holds it) to {@code target/replay-export}, or to {@code
 * -Dreplay.export=<dir>}, as {@code onboarding-encrypted-realserver-connected.json}.
 */
class EncryptedPayloadsTest {
  private static final Path TEST_KEY_FILE =
      Path.of("..", "workflows", "src", "test", "resources", "payload-keys-TEST-ONLY.txt");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Stack stack;
  private static Customer customer;

  @BeforeAll
  static void start() throws Exception {
    stack = Stack.start("encrypted-payloads", new Stack.Options().payloadKeys(testKey()));
    customer = Customer.of(stack, Customer.newAccountId(), "enc-owner")
        .connectNewOrganization("Encrypted Org");
    Waits.until("the onboarding to close", Duration.ofMinutes(2),
        () -> customer.view().outcome() != null);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theHistoryHoldsNoTokenAndNoEmailForWhoeverReadsItWithoutTheKeys() throws Exception {
    // 1. The raw gRPC history, as the server stores it (no data converter involved).
    GetWorkflowExecutionHistoryResponse raw = stack.service().blockingStub()
        .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
            .setNamespace("default")
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(customer.workflowId()))
            .setMaximumPageSize(1000)
            .build());
    History history = raw.getHistory();
    assertThat(raw.getNextPageToken().isEmpty()).as("one page").isTrue();
    String bytes = new String(history.toByteArray(), StandardCharsets.ISO_8859_1);
    assertThat(bytes).doesNotContain(customer.token(), customer.email());

    List<Payload> payloads = new ArrayList<>();
    collectPayloads(history, false, payloads);
    assertThat(payloads).as("the input, activity results, updates, summary, details").hasSizeGreaterThan(5);
    assertThat(payloads).allSatisfy(p -> assertThat(EncryptionCodec.isEncrypted(p))
        .as("payload %s", p.getMetadataMap()).isTrue());

    // 2. The Temporal CLI without a codec: every string, and every base64 string decoded.
    Process show = new ProcessBuilder("temporal", "workflow", "show",
        "--address", stack.temporal().address(), "--namespace", "default",
        "--workflow-id", customer.workflowId(), "--output", "json")
        .redirectErrorStream(true).start();
    String cli = new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(show.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(show.exitValue()).as(cli).isZero();
    List<String> strings = new ArrayList<>();
    collectStrings(JSON.readTree(cli), strings);
    assertThat(strings).as("the CLI's JSON").hasSizeGreaterThan(20);
    assertThat(String.join("\n", strings)).contains(customer.workflowId())
        .doesNotContain(customer.token(), customer.email());
    assertThat(cli).contains(base64("binary/encrypted"));
  }

  @Test
  void theWebUiShowsSupportTheDecodedInputThroughTheCodecAndStrangersAreRefused()
      throws Exception {
    // A stranger (no session, no token) asking the codec to decrypt the history's input.
    HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(stack.apiBase() + "/codec/decode"))
            .header("Content-Type", "application/json")
            .header("Origin", stack.uiUrl())
            .POST(HttpRequest.BodyPublishers.ofString("{\"payloads\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    Path screenshots = Path.of(System.getProperty("e2e.target", "target")).resolve("screenshots");
    Files.createDirectories(screenshots);
    String workflowPage = stack.uiUrl() + "/namespaces/default/workflows/" + customer.workflowId();
    try (Playwright playwright = Playwright.create(new Playwright.CreateOptions()
            .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        com.microsoft.playwright.Browser browser = playwright.chromium().launch(
            new BrowserType.LaunchOptions()
                .setExecutablePath(Path.of(System.getenv().getOrDefault("CHROMIUM_PATH",
                    "/usr/bin/chromium")))
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-dev-shm-usage")))) {
      // Without a session the UI gets 401 from the codec: the token never shows.
      BrowserContext stranger = browser.newContext();
      Page strangerPage = codecConfigured(stranger.newPage());
      strangerPage.navigate(workflowPage);
      strangerPage.getByText(customer.workflowId()).first().waitFor();
      strangerPage.waitForTimeout(3000);
      strangerPage.screenshot(new Page.ScreenshotOptions()
          .setPath(screenshots.resolve("temporal-ui-encrypted-input-anonymous.png")).setFullPage(true));
      assertThat(strangerPage.content()).doesNotContain(customer.token());

      // Support signs in at the api (OIDC), then opens the same execution in the Web UI.
      BrowserContext support = browser.newContext();
      Page page = support.newPage();
      page.setDefaultTimeout(60_000);
      SupportBrowser.signIn(page, stack);
      codecConfigured(page).navigate(workflowPage);
      page.getByText(customer.token()).first().waitFor();
      page.screenshot(new Page.ScreenshotOptions()
          .setPath(screenshots.resolve("temporal-ui-decoded-input-support.png")).setFullPage(true));
    }
  }

  @Test
  void theHistoryRecordedEncryptedIsExportedAsAReplayFixture() throws Exception {
    String exportTo = System.getProperty("replay.export");
    Path directory = exportTo != null ? Path.of(exportTo)
        : Path.of(System.getProperty("e2e.target", "target")).resolve("replay-export");
    Path file = ReplayExport.export(stack.client(), customer.workflowId(),
        directory.resolve("onboarding-encrypted-realserver-connected.json"), true);
    String json = Files.readString(file);
    assertThat(json).contains(base64("binary/encrypted")).doesNotContain(customer.token());
    // OnboardingReplayTest replays it with the committed test key once it is committed.
  }

  // ---- helpers

  /**
   * The UI's own Codec Server setting in this browser (what support sets once in the UI): the
   * api's endpoint, with cross-origin credentials so the session cookie goes along.
   */
  private static Page codecConfigured(Page page) {
    page.setDefaultTimeout(60_000);
    return SupportBrowser.codecConfigured(page, stack);
  }

  private static String testKey() throws Exception {
    return Files.readAllLines(TEST_KEY_FILE).stream()
        .map(line -> line.replaceFirst("#.*", "").strip())
        .filter(line -> !line.isEmpty()).findFirst().orElseThrow();
  }

  /**
   * Every Payload in a message, except those in clear by design: search attributes (indexed by
   * the server) and the SDK's own version markers (a change id and a number, which the SDK
   * writes with its standard converter, not the client's).
   */
  /** Detail keys of a LocalActivity marker that the SDK writes in plain JSON, none of them ours. */
  private static final java.util.Set<String> LOCAL_ACTIVITY_BOOKKEEPING =
      java.util.Set.of("activityId", "type", "time", "meta");

  private static void collectPayloads(Message message, boolean skip, List<Payload> into) {
    if (message instanceof MarkerRecordedEventAttributes marker
        && marker.getMarkerName().equals("Version")) {
      return;
    }
    if (message instanceof MarkerRecordedEventAttributes marker
        && marker.getMarkerName().equals("LocalActivity")) {
      // The SDK's own bookkeeping of a local activity (its type, id, time, attempt) is written
      // without the data converter; the step's input and result go through the codec.
      marker.getDetailsMap().forEach((key, payloads) -> {
        if (!LOCAL_ACTIVITY_BOOKKEEPING.contains(key)) {
          collectPayloads(payloads, skip, into);
        }
      });
      return;
    }
    if (message instanceof Payload payload) {
      if (!skip) {
        into.add(payload);
      }
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      boolean under = skip || field.getKey().getName().equals("search_attributes");
      List<?> values = field.getKey().isRepeated()
          ? (List<?>) field.getValue() : List.of(field.getValue());
      for (Object value : values) {
        collectPayloads((Message) value, under, into);
      }
    }
  }

  /** Every string of a JSON document, and for base64 strings also what they decode to. */
  private static void collectStrings(JsonNode node, List<String> into) {
    if (node.isTextual()) {
      into.add(node.asText());
      try {
        into.add(new String(Base64.getDecoder().decode(node.asText()), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException notBase64) {
        // a plain string
      }
    }
    node.forEach(child -> collectStrings(child, into));
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
