package io.mpconnect.e2e.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Explicit cases schemathesis does not generate: numbers a JSON parser reads in surprising ways,
 * posted to every numeric input of the live api (the usage quantity, single and in a batch, and
 * the metering view's {@code ?hours}). {@code {"quantity": 1e400}} once answered 500 (a double's
 * Infinity on its way to a BigDecimal). Each must be a 400 that names the field, never a 5xx,
 * never stored. The description (openapi.json) says integer with bounds for both.
 */
@ExtendWith(FuzzEnvironment.Resolver.class)
class HostileNumbersFuzzTest {
  /** Overflow, fractions, exponents, NaN and Infinity, negative zero, leading signs and zeros. */
  static final List<String> HOSTILE = List.of(
      "1e400", "-1e400", "1e308", "1E+2", "1e2", "1e-2", "0.1e1", "1.5", "1.0", "0.0000001",
      "NaN", "-NaN", "Infinity", "-Infinity", "2147483648", "9223372036854775808",
      "-9223372036854775809", "1" + "0".repeat(400), "-1", "+1", "01", "0x10", "1_000",
      "1" + "0".repeat(2000));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  static FuzzEnvironment env;

  @BeforeAll
  static void start(FuzzEnvironment environment) {
    env = environment;
  }

  @Test
  void hostileNumbersInEveryNumericJsonFieldAreA400ThatSaysWhy() throws Exception {
    String at = Instant.now().toString();
    int n = 0;
    for (String number : HOSTILE) {
      String record = "{\"organizationId\": \"0000de00-0000-4000-8000-000000000001\","
          + " \"dimension\": \"requests\", \"quantity\": " + number + ", \"timestamp\": \"" + at
          + "\", \"idempotencyKey\": \"hostile-number-" + n++ + "\"}";
      for (String body : List.of(record, "{\"records\": [" + record + "]}")) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                URI.create(env.baseUrl + "/api/usage"))
            .header("Authorization", "Bearer " + env.setting("USAGE_TOKEN"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).as(body).isEqualTo(400);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("message").asText()).as(body).isNotBlank();
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
          assertThat(errors.get(0).path("field").asText()).as(body).isEqualTo("quantity");
          assertThat(errors.get(0).path("message").asText()).as(body).startsWith("quantity ");
        } else {
          // Not JSON at all (0x10, 01, +1, 2000 digits): the message says so.
          assertThat(answer.path("message").asText()).as(body)
              .startsWith("The body is not valid JSON");
        }
      }
      if (number.equals("01")) {
        continue; // a fine query value (?hours=01 is one hour), unlike a JSON number
      }
      HttpResponse<String> view = send(HttpRequest.newBuilder(URI.create(env.baseUrl
              + "/admin/metering?organizationId=0000de00-0000-4000-8000-000000000001&hours="
              + java.net.URLEncoder.encode(number, java.nio.charset.StandardCharsets.UTF_8)))
          .header("Authorization", "Bearer " + env.setting("ADMIN_TOKEN")));
      assertThat(view.statusCode()).as("?hours=" + number).isEqualTo(400);
      assertThat(JSON.readTree(view.body()).path("message").asText())
          .isEqualTo("?hours must be between 1 and 744.");
    }
    Integer stored = env.database.jdbi().withHandle(h -> h.select(
        "SELECT count(*) FROM usage_records WHERE idempotency_key LIKE 'hostile-number-%'")
        .mapTo(Integer.class).one());
    assertThat(stored).isZero();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
