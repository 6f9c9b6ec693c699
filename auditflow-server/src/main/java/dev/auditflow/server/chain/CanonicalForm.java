package dev.auditflow.server.chain;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.CanonicalJson;
import dev.auditflow.api.Timestamps;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The bytes an event's hash covers: one line of JSON, object keys sorted by UTF-16 code unit (as in
 * RFC 8785) at every level, no whitespace, numbers as plain decimals without trailing zeros, timestamps in
 * auditflow's UTC microsecond form, absent optional fields omitted. Defined precisely in
 * docs/CHAIN.md, so an auditor can recompute it from the stored row alone.
 *
 * <p>{@code retention_days} is excluded on purpose: it is policy, which a retention change or a
 * legal hold may extend after the fact. The chain fields are excluded because they are the output.
 */
public final class CanonicalForm {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  private static final ObjectMapper WRITER =
      JsonMapper.builder().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private CanonicalForm() {}

  /**
   * The canonical bytes of an event at a chain position.
   *
   * @param ingestedBy the principal that submitted it, or null (rows stored before authentication)
   */
  public static byte[] of(AuditEvent e, long chainPosition, LocalDate eventDate, Instant receivedAt,
      String ingestedBy) {
    ObjectNode n = NODES.objectNode();
    // Inserted in sorted key order; CanonicalFormTest checks that it stays so.
    putText(n, "actor_id", e.actorId());
    putText(n, "actor_ip", e.actorIp());
    putText(n, "actor_type", e.actorType());
    n.put("chain_position", chainPosition);
    putText(n, "cluster_name", e.clusterName());
    putText(n, "correlation_id", e.correlationId());
    if (e.durationMs() != null) {
      n.put("duration_ms", e.durationMs());
    }
    putText(n, "error_code", e.errorCode());
    putText(n, "error_message", e.errorMessage());
    putText(n, "event_action", e.eventAction());
    putText(n, "event_category", e.eventCategory());
    n.set("event_data", CanonicalJson.normalize(e.eventData()));
    n.put("event_date", eventDate.toString());
    n.put("event_id", e.eventId().toString());
    n.put("event_outcome", e.eventOutcome().wireName());
    n.put("event_timestamp", Timestamps.format(e.eventTimestamp()));
    putText(n, "event_type", e.eventType());
    putText(n, "ingested_by", ingestedBy);
    n.put("is_sensitive", e.sensitive());
    putText(n, "namespace", e.namespace());
    putText(n, "parent_event_date", e.parentEventDate() == null ? null : e.parentEventDate().toString());
    putText(n, "parent_event_id", e.parentEventId() == null ? null : e.parentEventId().toString());
    n.put("received_at", Timestamps.format(receivedAt));
    putText(n, "resource_id", e.resourceId());
    putText(n, "resource_name", e.resourceName());
    putText(n, "resource_type", e.resourceType());
    putText(n, "severity", e.severity());
    putText(n, "version", e.version());
    try {
      return WRITER.writeValueAsBytes(n);
    } catch (JsonProcessingException e1) {
      throw new IllegalStateException("a JSON tree is always serialisable", e1);
    }
  }

  private static void putText(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

}
