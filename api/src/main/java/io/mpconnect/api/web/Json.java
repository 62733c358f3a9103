package io.mpconnect.api.web;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;

/** The one Jackson mapper of the api: records in and out, unknown fields ignored. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  public static Map<String, String> message(String message) {
    return Map.of("message", message);
  }

  private Json() {}
}
