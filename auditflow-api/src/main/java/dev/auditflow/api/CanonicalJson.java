package dev.auditflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One JSON value, one form: object keys sorted (by UTF-16 code unit, as in RFC 8785) at every
 * level and numbers as plain decimals without trailing zeros. The JSON a client sent and the
 * JSON PostgreSQL's {@code jsonb} hands back (keys reordered, {@code 1e2} as {@code 100}) have
 * the same canonical form, so hashes over it survive the round trip.
 */
public final class CanonicalJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private CanonicalJson() {}

  public static JsonNode normalize(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode sorted = NODES.objectNode();
      for (String name : names) {
        sorted.set(name, normalize(node.get(name)));
      }
      return sorted;
    }
    if (node.isArray()) {
      var array = NODES.arrayNode();
      node.forEach(element -> array.add(normalize(element)));
      return array;
    }
    if (node.isNumber()) {
      BigDecimal value = node.decimalValue().stripTrailingZeros();
      return NODES.numberNode(value.signum() == 0 ? BigDecimal.ZERO : value);
    }
    return node;
  }
}
