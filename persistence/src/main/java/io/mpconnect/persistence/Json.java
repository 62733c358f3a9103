package io.mpconnect.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** jsonb columns travel as text: written with CAST(:x AS jsonb), read with getString. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  static String write(Map<String, ?> value) {
    try {
      return MAPPER.writeValueAsString(value == null ? Map.of() : value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serializable as JSON: " + e.getMessage(), e);
    }
  }

  static Map<String, Object> read(String json) {
    try {
      return json == null ? Map.of() : MAPPER.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON does not parse: " + e.getMessage(), e);
    }
  }

  private Json() {}
}
