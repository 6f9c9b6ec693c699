package dev.auditflow.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;

/**
 * The bytes a signature covers: a JSON object with its keys sorted (at every level), no
 * whitespace, UTF-8 — simple to reproduce in any language from the documented fields.
 */
public final class SignedJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private SignedJson() {}

  public static byte[] bytes(Map<String, ?> fields) {
    try {
      return MAPPER.writeValueAsBytes(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serialisable: " + e.getMessage(), e);
    }
  }
}
