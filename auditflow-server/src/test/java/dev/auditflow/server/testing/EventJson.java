package dev.auditflow.server.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import java.time.Instant;

/** Valid event JSON for tests, to be changed field by field. */
public final class EventJson {
  private EventJson() {}

  public static ObjectNode valid(String correlationId) {
    return valid(correlationId, Instant.now());
  }

  public static ObjectNode valid(String correlationId, Instant timestamp) {
    ObjectNode e = AuditEventJson.mapper().createObjectNode();
    e.put("event_id", UuidV7.generate().toString());
    e.put("event_type", "test.event.stored");
    e.put("event_timestamp", Timestamps.format(timestamp));
    e.put("event_category", "test");
    e.put("event_action", "store");
    e.put("event_outcome", "success");
    e.put("correlation_id", correlationId);
    e.putObject("event_data").put("n", 1).put("text", "ü \"quoted\" \\ back");
    return e;
  }

  public static ArrayNode array(ObjectNode... events) {
    ArrayNode a = AuditEventJson.mapper().createArrayNode();
    for (ObjectNode e : events) {
      a.add(e);
    }
    return a;
  }
}
