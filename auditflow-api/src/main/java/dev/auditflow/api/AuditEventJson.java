package dev.auditflow.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The JSON form of {@link AuditEvent}: snake_case fields, UTC microsecond timestamps, nulls
 * omitted.
 *
 * <p>Writing uses Jackson data binding. Reading is deliberately tolerant: instead of failing on
 * the first field of the wrong type, {@link #read(JsonNode)} reports each one as a {@link
 * Violation} so a client learns every problem with its event in one answer. {@link #read} takes
 * the fields it knows and leaves the rest; {@link EventValidator#validate(JsonNode)}, the door of
 * ingest, refuses an unknown field ({@link #INPUT_FIELDS}) and ignores the ones the server adds
 * ({@link #SERVER_FIELDS}). An event without {@code event_id} gets one derived from its content ({@link
 * StableEventIds}), so that a retry of it is recognised as the same event.
 */
public final class AuditEventJson {
  /**
   * Numbers in {@code event_data} are kept exactly as sent: decimals as {@code BigDecimal}
   * (never rounded through {@code double}), trailing zeros included — an audit record must not
   * change the figures it records.
   */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  /** Every field an event may be sent with ({@code cluster_id} is Kubernaut's name of {@code cluster_name}). */
  public static final java.util.Set<String> INPUT_FIELDS = java.util.Set.of("event_id", "version", "event_type",
      "event_timestamp", "event_category", "event_action", "event_outcome", "correlation_id", "actor_type", "actor_id",
      "actor_ip", "resource_type", "resource_id", "resource_name", "parent_event_id", "parent_event_date", "namespace",
      "cluster_id", "cluster_name", "severity", "duration_ms", "error_code", "error_message", "event_data",
      "retention_days", "is_sensitive", "producer_id", "producer_epoch", "producer_seq", "trace_id",
      "span_id");

  /**
   * The fields the server adds to a stored event: accepted on input and ignored, so that an event
   * read back (or exported) can be sent again as it is.
   */
  public static final java.util.Set<String> SERVER_FIELDS = java.util.Set.of("event_date", "received_at",
      "chain_position", "previous_event_hash", "event_hash", "hash_algorithm", "ingested_by", "log_index");

  private AuditEventJson() {}

  /** The shared, configured mapper. Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static String toJson(AuditEvent event) {
    try {
      return MAPPER.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an AuditEvent is always serialisable", e);
    }
  }

  public static JsonNode toTree(AuditEvent event) {
    return MAPPER.valueToTree(event);
  }

  /**
   * Reads an event; see the class comment for how wrongly typed fields are reported. The event
   * shares {@code event_data} with {@code json}: do not change the tree afterwards.
   */
  public static ParsedEvent read(JsonNode json) {
    if (json == null || !json.isObject()) {
      String kind = json == null ? "nothing" : json.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
      return new ParsedEvent(null, List.of(new Violation("$", "an event must be a JSON object, was " + kind)));
    }
    Reader r = new Reader(json);
    UUID eventId = r.uuid("event_id");
    AuditEvent.Builder b =
        AuditEvent.builder()
            .eventId(eventId)
            .version(r.text("version"))
            .eventType(r.text("event_type"))
            .eventTimestamp(r.timestamp("event_timestamp"))
            .eventCategory(r.text("event_category"))
            .eventAction(r.text("event_action"))
            .eventOutcome(r.choice("event_outcome", EventOutcome.class, EventOutcome::fromWireName))
            .correlationId(r.text("correlation_id"))
            .actorType(r.text("actor_type"))
            .actorId(r.text("actor_id"))
            .actorIp(r.text("actor_ip"))
            .resourceType(r.text("resource_type"))
            .resourceId(r.text("resource_id"))
            .resourceName(r.text("resource_name"))
            .parentEventId(r.uuid("parent_event_id"))
            .parentEventDate(r.date("parent_event_date"))
            .namespace(r.text("namespace"))
            .clusterName(r.clusterName())
            .severity(r.text("severity"))
            .durationMs(r.integer("duration_ms"))
            .errorCode(r.text("error_code"))
            .errorMessage(r.text("error_message"))
            .retentionDays(r.int32("retention_days"))
            .sensitive(Boolean.TRUE.equals(r.bool("is_sensitive")))
            .producer(r.text("producer_id"), r.uuid("producer_epoch"), r.integer("producer_seq"))
            .trace(r.text("trace_id"), r.text("span_id"));
    JsonNode data = json.get("event_data");
    if (data != null && !data.isNull()) {
      // The caller's tree is shared, not copied: reading is on the server's hot path, and the
      // event is the node's only user after this (callers must not change the tree afterwards).
      b.eventDataOwned(data);
    }
    AuditEvent event = b.build();
    if (eventId == null && event.eventTimestamp() != null) {
      event = event.toBuilder().eventId(StableEventIds.derive(event)).build();
    }
    return new ParsedEvent(event, r.violations);
  }

  /**
   * True when {@code json} names no {@code event_id} of its own (absent, null or empty), so that
   * {@link #read} derived one from its content.
   */
  public static boolean idIsDerived(JsonNode json) {
    JsonNode id = json.get("event_id");
    return id == null || id.isNull() || (id.isTextual() && id.textValue().isEmpty());
  }

  /** The size of the node as compact UTF-8 JSON, without keeping the bytes. */
  public static long serializedSize(JsonNode node) {
    CountingStream counter = new CountingStream();
    try {
      MAPPER.writeValue(counter, node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counter.count;
  }

  private static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  /** Reads typed fields from one JSON object, collecting a violation per wrongly typed field. */
  private static final class Reader {
    private final JsonNode json;
    private final List<Violation> violations = new ArrayList<>();

    Reader(JsonNode json) {
      this.json = json;
    }

    private JsonNode present(String field) {
      JsonNode node = json.get(field);
      return node == null || node.isNull() ? null : node;
    }

    private <T> T invalid(String field, String message) {
      violations.add(new Violation(field, message));
      return null;
    }

    String text(String field) {
      JsonNode node = present(field);
      if (node == null) {
        return null;
      }
      return node.isTextual() ? node.textValue() : invalid(field, "must be a string");
    }

    UUID uuid(String field) {
      String text = text(field);
      if (text == null || text.isEmpty()) {
        return null; // an empty optional field is none
      }
      return StrictUuid.parse(text)
          .orElseGet(() -> invalid(field, "must be a UUID (8-4-4-4-12 hex digits), was \"" + text + "\""));
    }

    Instant timestamp(String field) {
      String text = text(field);
      if (text == null) {
        return null;
      }
      try {
        return Timestamps.parse(text);
      } catch (IllegalArgumentException e) {
        return invalid(field, e.getMessage());
      }
    }

    /** An RFC 3339 date-time or a {@code YYYY-MM-DD} date, as the UTC date. */
    LocalDate date(String field) {
      String text = text(field);
      if (text == null || text.isEmpty()) {
        return null;
      }
      try {
        return text.length() == 10 ? LocalDate.parse(text) : LocalDate.ofInstant(Timestamps.parse(text), ZoneOffset.UTC);
      } catch (IllegalArgumentException | DateTimeException e) {
        return invalid(field, "must be an RFC 3339 date-time or a YYYY-MM-DD date, was \"" + text + "\"");
      }
    }

    /** {@code cluster_id} (Kubernaut's name) or {@code cluster_name}; both only if they agree. */
    String clusterName() {
      String id = text("cluster_id");
      String name = text("cluster_name");
      if (id != null && name != null && !id.equals(name)) {
        return invalid("cluster_id", "and cluster_name name the same field and differ: give one of them");
      }
      return id != null ? id : name;
    }

    <E extends Enum<E>> E choice(String field, Class<E> type, Function<String, Optional<E>> parser) {
      String text = text(field);
      if (text == null) {
        return null;
      }
      return parser
          .apply(text)
          .orElseGet(() -> invalid(field, "must be one of " + WireNames.allowed(type) + ", was \"" + text + "\""));
    }

    Long integer(String field) {
      JsonNode node = present(field);
      if (node == null) {
        return null;
      }
      return node.isIntegralNumber() && node.canConvertToLong()
          ? node.longValue()
          : invalid(field, "must be an integer");
    }

    Integer int32(String field) {
      JsonNode node = present(field);
      if (node == null) {
        return null;
      }
      return node.isIntegralNumber() && node.canConvertToInt()
          ? node.intValue()
          : invalid(field, "must be an integer");
    }

    Boolean bool(String field) {
      JsonNode node = present(field);
      if (node == null) {
        return null;
      }
      return node.isBoolean() ? node.booleanValue() : invalid(field, "must be true or false");
    }
  }
}
