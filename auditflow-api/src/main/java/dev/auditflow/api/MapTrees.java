package dev.auditflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Turns the maps callers pass to {@link AuditEvent.Builder#eventData(Map)} into JSON trees.
 *
 * <p>Jackson's {@code valueToTree} serialises into a token buffer and parses that back — most of
 * the cost of building an event on the client's hot path. The value types audit payloads are made
 * of (strings, ints, longs, booleans, nulls, maps with string keys, lists) map to nodes directly
 * here; every other value (decimals, dates, beans…) still goes through the mapper, so the result
 * is always the tree {@code valueToTree} would give.
 */
final class MapTrees {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Beyond this depth the rest is left to the mapper, whose own nesting limit then applies (a map
   * that contains itself must fail as it does there, not overflow the stack here).
   */
  private static final int DIRECT_DEPTH = 32;

  private MapTrees() {}

  static JsonNode treeOf(Map<?, ?> map) {
    return node(map, 0);
  }

  private static JsonNode node(Object value, int depth) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof String text) {
      return NODES.textNode(text);
    }
    if (value instanceof Integer number) {
      return NODES.numberNode(number.intValue());
    }
    if (value instanceof Long number) {
      return NODES.numberNode(number.longValue());
    }
    if (value instanceof Boolean bool) {
      return NODES.booleanNode(bool);
    }
    if (depth < DIRECT_DEPTH) {
      if (value instanceof Map<?, ?> map) {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          if (!(entry.getKey() instanceof String key)) {
            return AuditEventJson.mapper().valueToTree(map); // Jackson's key serialisers decide
          }
          object.set(key, node(entry.getValue(), depth + 1));
        }
        return object;
      }
      if (value instanceof List<?> list) {
        ArrayNode array = NODES.arrayNode(list.size());
        for (Object element : list) {
          array.add(node(element, depth + 1));
        }
        return array;
      }
    }
    return AuditEventJson.mapper().valueToTree(value);
  }
}
