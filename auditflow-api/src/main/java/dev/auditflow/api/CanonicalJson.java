package dev.auditflow.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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

  /** The canonical form as a tree, for callers that serialise it themselves. */
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
      return NODES.numberNode(number(node));
    }
    return node;
  }

  /**
   * Writes the canonical form of {@code node} — what {@link #normalize} gives, serialised — straight
   * to {@code out}, without building the sorted copy: the hot path of hashing every stored event.
   * The generator must write big decimals as plain numbers
   * ({@link JsonGenerator.Feature#WRITE_BIGDECIMAL_AS_PLAIN}), as canonical serialisers do.
   */
  public static void write(JsonGenerator out, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<String> names = new ArrayList<>(node.size());
        node.fieldNames().forEachRemaining(names::add);
        Collections.sort(names);
        out.writeStartObject();
        for (String name : names) {
          out.writeFieldName(name);
          write(out, node.get(name));
        }
        out.writeEndObject();
      }
      case ARRAY -> {
        out.writeStartArray();
        for (JsonNode element : node) {
          write(out, element);
        }
        out.writeEndArray();
      }
      case NUMBER -> out.writeNumber(number(node));
      case STRING -> out.writeString(node.textValue());
      case BOOLEAN -> out.writeBoolean(node.booleanValue());
      case NULL -> out.writeNull();
      default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
    }
  }

  /** A number as a plain decimal without trailing zeros; every zero the same. */
  private static BigDecimal number(JsonNode node) {
    BigDecimal value = node.decimalValue().stripTrailingZeros();
    return value.signum() == 0 ? BigDecimal.ZERO : value;
  }
}
