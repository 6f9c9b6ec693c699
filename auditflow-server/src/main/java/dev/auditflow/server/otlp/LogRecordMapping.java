package dev.auditflow.server.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.ParsedEvent;
import dev.auditflow.api.Severity;
import dev.auditflow.api.StableEventIds;
import dev.auditflow.api.Violation;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * One OpenTelemetry log record as an audit event, by the mapping docs/OTLP.md documents: the
 * event's fields from {@code audit.*} attributes (a few from OpenTelemetry's semantic conventions
 * when the {@code audit.*} one is absent), its time, trace and span from the record, and everything
 * else — body, other attributes, resource, scope — kept in {@code event_data}, so that nothing the
 * service sent is dropped.
 *
 * <p>A record that cannot be an event (no time, an {@code audit.*} attribute of the wrong type or
 * unknown — a misspelt one would otherwise be dropped silently) comes back with violations named
 * as the sender names things: the attribute, or the record's field.
 */
final class LogRecordMapping {
  static final String PREFIX = "audit.";

  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  /** The text attributes and the event field each sets. */
  private static final Map<String, BiConsumer<AuditEvent.Builder, String>> TEXT = new LinkedHashMap<>();

  static {
    TEXT.put("audit.event_type", AuditEvent.Builder::eventType);
    TEXT.put("audit.event_category", AuditEvent.Builder::eventCategory);
    TEXT.put("audit.event_action", AuditEvent.Builder::eventAction);
    TEXT.put("audit.correlation_id", AuditEvent.Builder::correlationId);
    TEXT.put("audit.actor_type", AuditEvent.Builder::actorType);
    TEXT.put("audit.actor_id", AuditEvent.Builder::actorId);
    TEXT.put("audit.actor_ip", AuditEvent.Builder::actorIp);
    TEXT.put("audit.resource_type", AuditEvent.Builder::resourceType);
    TEXT.put("audit.resource_id", AuditEvent.Builder::resourceId);
    TEXT.put("audit.resource_name", AuditEvent.Builder::resourceName);
    TEXT.put("audit.namespace", AuditEvent.Builder::namespace);
    TEXT.put("audit.cluster_name", AuditEvent.Builder::clusterName);
    TEXT.put("audit.severity", AuditEvent.Builder::severity);
    TEXT.put("audit.error_code", AuditEvent.Builder::errorCode);
    TEXT.put("audit.error_message", AuditEvent.Builder::errorMessage);
  }

  private static final String OUTCOME = "audit.event_outcome";
  private static final String DURATION = "audit.duration_ms";
  private static final String RETENTION = "audit.retention_days";
  private static final String SENSITIVE = "audit.is_sensitive";

  /** Every attribute of the mapping, for the message that names a misspelt one. */
  static final Set<String> AUDIT_ATTRIBUTES = new TreeSet<>(TEXT.keySet());

  static {
    AUDIT_ATTRIBUTES.addAll(List.of(OUTCOME, DURATION, RETENTION, SENSITIVE));
  }

  private LogRecordMapping() {}

  /** The record as an event — its id derived from its content, so a resent record is stored once — or why not. */
  static ParsedEvent map(Resource resource, InstrumentationScope scope, LogRecord record) {
    List<Violation> violations = new ArrayList<>();
    Map<String, AnyValue> attributes = attributes(record.getAttributesList());
    Map<String, AnyValue> resourceAttributes = attributes(resource.getAttributesList());
    AuditEvent.Builder event = AuditEvent.builder();

    Map<String, AnyValue> others = new LinkedHashMap<>();
    attributes.forEach((name, value) -> {
      if (!name.startsWith(PREFIX)) {
        others.put(name, value);
      } else if (TEXT.containsKey(name)) {
        text(name, value, violations).ifPresent(text -> TEXT.get(name).accept(event, text));
      } else if (name.equals(OUTCOME)) {
        text(name, value, violations).ifPresent(text -> EventOutcome.fromWireName(text).ifPresentOrElse(event::eventOutcome,
            () -> violations.add(new Violation(name, "must be one of success, failure, pending"
                + ", was \"" + text + "\""))));
      } else if (name.equals(DURATION)) {
        integer(name, value, violations).ifPresent(event::durationMs);
      } else if (name.equals(RETENTION)) {
        integer(name, value, violations).ifPresent(days -> {
          if (days < Integer.MIN_VALUE || days > Integer.MAX_VALUE) {
            violations.add(new Violation(name, "must be a number of days, was " + days));
          } else {
            event.retentionDays((int) (long) days);
          }
        });
      } else if (name.equals(SENSITIVE)) {
        if (value.getValueCase() == AnyValue.ValueCase.BOOL_VALUE) {
          event.sensitive(value.getBoolValue());
        } else {
          violations.add(new Violation(name, "must be a boolean, was " + kind(value)));
        }
      } else {
        violations.add(new Violation(name, "is not an attribute of the mapping (a misspelling would lose the field);"
            + " the audit attributes are " + String.join(", ", AUDIT_ATTRIBUTES)));
      }
    });
    if (!attributes.containsKey("audit.event_type") && !record.getEventName().isEmpty()) {
      event.eventType(record.getEventName());
    }
    conventions(event, attributes, resourceAttributes, violations);
    if (!attributes.containsKey("audit.severity")) {
      event.severity(severity(record.getSeverityNumberValue()));
    }
    event.trace(id(record.getTraceId(), "trace_id", 16, violations), id(record.getSpanId(), "span_id", 8, violations));
    Instant time = time(record);
    if (time == null) {
      violations.add(new Violation("time_unix_nano",
          "is required: the record has neither time_unix_nano nor observed_time_unix_nano"));
    }
    event.eventTimestamp(time);
    event.eventData(eventData(record, others, resourceAttributes, scope));
    if (!violations.isEmpty()) {
      return new ParsedEvent(null, violations);
    }
    AuditEvent built = event.build();
    return new ParsedEvent(built.toBuilder().eventId(StableEventIds.derive(built)).build(), List.of());
  }

  /**
   * Where a rule about an event field points the sender: the attribute or record field it came
   * from. Violations the mapping itself found already name their source.
   */
  static String source(String field) {
    return switch (field) {
      case "event_type" -> "audit.event_type (or the record's event_name)";
      case "event_outcome", "event_category", "event_action", "correlation_id", "actor_type", "actor_id", "actor_ip",
          "resource_type", "resource_id", "resource_name", "namespace", "cluster_name", "severity", "error_code",
          "error_message", "duration_ms", "retention_days", "is_sensitive" -> PREFIX + field;
      case "event_timestamp" -> "time_unix_nano";
      case "event_data" -> "event_data (the record's body, attributes, resource and scope)";
      default -> field;
    };
  }

  /**
   * Semantic conventions standing in for absent {@code audit.*} attributes: the end user or else
   * the emitting service as the actor, the client's address, and the Kubernetes namespace and
   * cluster of the resource.
   */
  private static void conventions(AuditEvent.Builder event, Map<String, AnyValue> attributes,
      Map<String, AnyValue> resource, List<Violation> violations) {
    if (!attributes.containsKey("audit.actor_id")) {
      String user = plainText(attributes.get("enduser.id"));
      String service = plainText(resource.get("service.name"));
      if (user != null) {
        event.actorId(user);
        if (!attributes.containsKey("audit.actor_type")) {
          event.actorType("user");
        }
      } else if (service != null) {
        event.actorId(service);
      }
    }
    if (!attributes.containsKey("audit.actor_ip")) {
      String client = plainText(attributes.get("client.address"));
      if (client != null) {
        event.actorIp(client);
      }
    }
    if (!attributes.containsKey("audit.namespace")) {
      String namespace = plainText(resource.get("k8s.namespace.name"));
      if (namespace != null) {
        event.namespace(namespace);
      }
    }
    if (!attributes.containsKey("audit.cluster_name")) {
      String cluster = plainText(resource.get("k8s.cluster.name"));
      if (cluster != null) {
        event.clusterName(cluster);
      }
    }
  }

  /** OpenTelemetry's severity ranges in the words auditflow uses; unspecified is the event default. */
  static String severity(int number) {
    if (number <= 0) {
      return null;
    }
    if (number <= 8) {
      return "debug"; // TRACE and DEBUG
    }
    if (number <= 12) {
      return Severity.INFO.wireName();
    }
    if (number <= 16) {
      return "warning";
    }
    return number <= 20 ? "error" : "critical"; // ERROR; FATAL
  }

  /** The record's time, or the time it was observed when it has none; null when it has neither. */
  private static Instant time(LogRecord record) {
    long nanos = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
    if (nanos == 0) {
      return null;
    }
    // fixed64 read as signed: past 2262 it is negative, and the validator's window refuses it.
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  /** A trace or span id as hex; empty or all zero (OpenTelemetry's "no id") is none. */
  private static String id(ByteString bytes, String field, int length, List<Violation> violations) {
    if (bytes.isEmpty()) {
      return null;
    }
    if (bytes.size() != length) {
      // Not "was N": OTLP/JSON ids that are not hex reach here as one byte (OtlpCodec).
      violations.add(new Violation(field, "must be " + length + " bytes (" + 2 * length + " hex digits in OTLP/JSON)"));
      return null;
    }
    String hex = HexFormat.of().formatHex(bytes.toByteArray());
    return hex.chars().allMatch(c -> c == '0') ? null : hex;
  }

  /**
   * {@code event_data}: what the record carries beyond the mapped fields, each part only when
   * present — {@code body}, {@code attributes} (all but {@code audit.*}), {@code resource},
   * {@code scope}, and the SDK's {@code severity_text} and {@code dropped_attributes_count}.
   */
  private static ObjectNode eventData(LogRecord record, Map<String, AnyValue> others, Map<String, AnyValue> resource,
      InstrumentationScope scope) {
    ObjectNode data = NODES.objectNode();
    if (record.hasBody() && record.getBody().getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
      data.set("body", json(record.getBody()));
    }
    if (!others.isEmpty()) {
      data.set("attributes", object(others));
    }
    if (!resource.isEmpty()) {
      data.set("resource", object(resource));
    }
    if (!scope.getName().isEmpty()) {
      ObjectNode scopeNode = data.putObject("scope").put("name", scope.getName());
      if (!scope.getVersion().isEmpty()) {
        scopeNode.put("version", scope.getVersion());
      }
    }
    if (!record.getSeverityText().isEmpty()) {
      data.put("severity_text", record.getSeverityText());
    }
    if (record.getDroppedAttributesCount() > 0) {
      data.put("dropped_attributes_count", record.getDroppedAttributesCount());
    }
    return data;
  }

  private static Map<String, AnyValue> attributes(List<KeyValue> list) {
    Map<String, AnyValue> map = new LinkedHashMap<>();
    list.forEach(kv -> map.put(kv.getKey(), kv.getValue()));
    return map;
  }

  private static ObjectNode object(Map<String, AnyValue> values) {
    ObjectNode node = NODES.objectNode();
    values.forEach((key, value) -> node.set(key, json(value)));
    return node;
  }

  /** An OpenTelemetry value as JSON: bytes as base64, a non-finite double as its name (JSON has no NaN). */
  static JsonNode json(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> NODES.textNode(value.getStringValue());
      case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
      case INT_VALUE -> NODES.numberNode(value.getIntValue());
      case DOUBLE_VALUE -> Double.isFinite(value.getDoubleValue()) ? NODES.numberNode(value.getDoubleValue())
          : NODES.textNode(Double.toString(value.getDoubleValue()));
      case BYTES_VALUE -> NODES.textNode(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        ArrayNode array = NODES.arrayNode();
        value.getArrayValue().getValuesList().forEach(element -> array.add(json(element)));
        yield array;
      }
      case KVLIST_VALUE -> object(attributes(value.getKvlistValue().getValuesList()));
      // An index into a profile's string table: meaningless in a log record, kept as it came.
      case STRING_VALUE_STRINDEX -> NODES.objectNode().put("string_value_strindex", value.getStringValueStrindex());
      case VALUE_NOT_SET -> NODES.nullNode();
    };
  }

  private static Optional<String> text(String name, AnyValue value, List<Violation> violations) {
    if (value.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
      return Optional.of(value.getStringValue());
    }
    violations.add(new Violation(name, "must be a string, was " + kind(value)));
    return Optional.empty();
  }

  private static Optional<Long> integer(String name, AnyValue value, List<Violation> violations) {
    if (value.getValueCase() == AnyValue.ValueCase.INT_VALUE) {
      return Optional.of(value.getIntValue());
    }
    violations.add(new Violation(name, "must be an integer, was " + kind(value)));
    return Optional.empty();
  }

  /** A string attribute's value; null when absent, empty or not a string (then it stays in attributes only). */
  private static String plainText(AnyValue value) {
    return value != null && value.getValueCase() == AnyValue.ValueCase.STRING_VALUE
        && !value.getStringValue().isEmpty() ? value.getStringValue() : null;
  }

  private static String kind(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> "a string";
      case BOOL_VALUE -> "a boolean";
      case INT_VALUE -> "an integer";
      case DOUBLE_VALUE -> "a double";
      case BYTES_VALUE -> "bytes";
      case ARRAY_VALUE -> "an array";
      case KVLIST_VALUE -> "a key-value list";
      case STRING_VALUE_STRINDEX -> "a string table index";
      case VALUE_NOT_SET -> "empty";
    };
  }
}
