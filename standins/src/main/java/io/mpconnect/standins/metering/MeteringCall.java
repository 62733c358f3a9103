package io.mpconnect.standins.metering;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One request the stand-in answered, in arrival order.
 *
 * @param operation the part of {@code X-Amz-Target} after {@code AWSMPMeteringService.}
 * @param request the request body (a missing node when it was not JSON)
 * @param status the HTTP status of the reply
 * @param errorType the {@code __type} of an error reply, else null
 * @param response the reply body
 * @param at when it was answered, by the stand-in's clock
 */
public record MeteringCall(
    String operation,
    JsonNode request,
    int status,
    String errorType,
    JsonNode response,
    Instant at) {

  public boolean succeeded() {
    return status == 200;
  }
}
