package dev.auditflow.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;

/**
 * One audit event: who did what to which resource, when, and how it ended.
 *
 * <p>Instances are immutable and built with {@link #builder()}. Building never throws for
 * missing or out-of-range values: rules that depend on configuration (the accepted timestamp
 * window) or that must be reported all at once (every violation, not the first) live in {@link
 * EventValidator}. Building does apply the documented defaults, so an event carries the values
 * the server will store:
 *
 * <ul>
 *   <li>{@code event_id}: a new time-ordered {@link UuidV7} — generated where the event is made,
 *       so that every retry of it carries the same id and the server can store it once;
 *   <li>{@code version} {@value #DEFAULT_VERSION}; {@code severity} {@code info}; {@code
 *       is_sensitive} false;
 *   <li>{@code actor_type} {@code service}, {@code actor_id} {@code <event_category>-service},
 *       {@code resource_type} the category and {@code resource_id} the correlation id.
 * </ul>
 *
 * <p>An optional text field set to the empty string means "none": it is stored as null and no
 * default replaces it (Kubernaut's Gateway sends {@code namespace: ""} for cluster-scoped
 * resources; refusing it would lose the whole batch).
 *
 * <p>{@code severity} is free text of at most 20 characters; {@link Severity} names the usual
 * values. {@code cluster_name} is also read and written as {@code cluster_id} (Kubernaut's name
 * for it). {@code parent_event_date} is the UTC date of the parent event: the server fills it
 * from the parent, whatever the producer sent.
 *
 * <p>{@code event_data} is a Jackson {@link JsonNode}; the builder stores a private copy. Treat
 * the node returned by {@link #eventData()} as read-only.
 *
 * <p>{@code producer_id}, {@code producer_epoch} and {@code producer_seq}, all three or none, number
 * the event in its producer's sequence (docs/COMPLETENESS.md): the client sets them; a producer
 * that sends none is not accounted for, and loses nothing else.
 *
 * <p>{@code trace_id} and {@code span_id} name the OpenTelemetry trace and span the event was
 * emitted in (W3C Trace Context: 32 and 16 lowercase hex digits), so that an auditor can go from
 * the event to its trace. Both optional; a span id needs its trace id. The Java client fills them
 * from the current span when {@code opentelemetry-api} is on the classpath; OTLP ingest keeps the
 * log record's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "event_id", "version", "event_type", "event_timestamp", "event_category", "event_action",
  "event_outcome", "correlation_id", "actor_type", "actor_id", "actor_ip", "resource_type", "resource_id",
  "resource_name", "parent_event_id", "parent_event_date", "namespace", "cluster_name", "cluster_id", "severity",
  "duration_ms", "error_code", "error_message", "event_data", "retention_days", "is_sensitive",
  "producer_id", "producer_epoch", "producer_seq", "trace_id", "span_id"
})
public record AuditEvent(
    @JsonProperty("event_id") UUID eventId,
    @JsonProperty("version") String version,
    @JsonProperty("event_type") String eventType,
    @JsonProperty("event_timestamp") @JsonSerialize(using = TimestampSerializer.class)
        Instant eventTimestamp,
    @JsonProperty("event_category") String eventCategory,
    @JsonProperty("event_action") String eventAction,
    @JsonProperty("event_outcome") EventOutcome eventOutcome,
    @JsonProperty("correlation_id") String correlationId,
    @JsonProperty("actor_type") String actorType,
    @JsonProperty("actor_id") String actorId,
    @JsonProperty("actor_ip") String actorIp,
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("resource_id") String resourceId,
    @JsonProperty("resource_name") String resourceName,
    @JsonProperty("parent_event_id") UUID parentEventId,
    @JsonProperty("parent_event_date") @JsonSerialize(using = DateAsTimestampSerializer.class)
        LocalDate parentEventDate,
    @JsonProperty("namespace") String namespace,
    @JsonProperty("cluster_name") String clusterName,
    @JsonProperty("severity") String severity,
    @JsonProperty("duration_ms") Long durationMs,
    @JsonProperty("error_code") String errorCode,
    @JsonProperty("error_message") String errorMessage,
    @JsonProperty("event_data") JsonNode eventData,
    @JsonProperty("retention_days") Integer retentionDays,
    @JsonProperty("is_sensitive") boolean sensitive,
    @JsonProperty("producer_id") String producerId,
    @JsonProperty("producer_epoch") UUID producerEpoch,
    @JsonProperty("producer_seq") Long producerSeq,
    @JsonProperty("trace_id") String traceId,
    @JsonProperty("span_id") String spanId) {

  public static final String DEFAULT_VERSION = "1.0";
  public static final String DEFAULT_ACTOR_TYPE = "service";

  /** {@code cluster_name} under the name Kubernaut gives it; the same value. */
  @JsonProperty("cluster_id")
  public String clusterId() {
    return clusterName;
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every value of this event, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.eventId = eventId;
    b.version = version;
    b.eventType = eventType;
    b.eventTimestamp = eventTimestamp;
    b.eventCategory = eventCategory;
    b.eventAction = eventAction;
    b.eventOutcome = eventOutcome;
    b.correlationId = correlationId;
    // A defaulted field that is null was set to none: keep it none, do not default it again.
    b.actorType = noneIfNull(actorType);
    b.actorId = noneIfNull(actorId);
    b.actorIp = actorIp;
    b.resourceType = noneIfNull(resourceType);
    b.resourceId = noneIfNull(resourceId);
    b.resourceName = resourceName;
    b.parentEventId = parentEventId;
    b.parentEventDate = parentEventDate;
    b.namespace = namespace;
    b.clusterName = clusterName;
    b.severity = noneIfNull(severity);
    b.durationMs = durationMs;
    b.errorCode = errorCode;
    b.errorMessage = errorMessage;
    b.eventData = eventData;
    b.retentionDays = retentionDays;
    b.sensitive = sensitive;
    b.producerId = producerId;
    b.producerEpoch = producerEpoch;
    b.producerSeq = producerSeq;
    b.traceId = traceId;
    b.spanId = spanId;
    return b;
  }

  /** This event numbered in a producer's sequence: a copy with the three producer fields set. */
  public AuditEvent withProducer(String producerId, UUID epoch, long seq) {
    return new AuditEvent(eventId, version, eventType, eventTimestamp, eventCategory, eventAction, eventOutcome,
        correlationId, actorType, actorId, actorIp, resourceType, resourceId, resourceName, parentEventId,
        parentEventDate, namespace, clusterName, severity, durationMs, errorCode, errorMessage, eventData, retentionDays,
        sensitive, producerId, epoch, seq, traceId, spanId);
  }

  /** This event placed in a trace: a copy with {@code trace_id} and {@code span_id} set. */
  public AuditEvent withTrace(String traceId, String spanId) {
    return new AuditEvent(eventId, version, eventType, eventTimestamp, eventCategory, eventAction, eventOutcome,
        correlationId, actorType, actorId, actorIp, resourceType, resourceId, resourceName, parentEventId,
        parentEventDate, namespace, clusterName, severity, durationMs, errorCode, errorMessage, eventData, retentionDays,
        sensitive, producerId, producerEpoch, producerSeq, traceId, spanId);
  }

  /** True when the event carries a producer sequence number. */
  public boolean hasProducer() {
    return producerId != null || producerEpoch != null || producerSeq != null;
  }

  private static String noneIfNull(String value) {
    return value == null ? "" : value;
  }

  /** Builds {@link AuditEvent}s. Not thread-safe; every setter returns {@code this}. */
  public static final class Builder {
    private UUID eventId;
    private String version;
    private String eventType;
    private Instant eventTimestamp;
    private String eventCategory;
    private String eventAction;
    private EventOutcome eventOutcome;
    private String correlationId;
    private String actorType;
    private String actorId;
    private String actorIp;
    private String resourceType;
    private String resourceId;
    private String resourceName;
    private UUID parentEventId;
    private LocalDate parentEventDate;
    private String namespace;
    private String clusterName;
    private String severity;
    private Long durationMs;
    private String errorCode;
    private String errorMessage;
    private JsonNode eventData;
    private Integer retentionDays;
    private boolean sensitive;
    private String producerId;
    private UUID producerEpoch;
    private Long producerSeq;
    private String traceId;
    private String spanId;

    private Builder() {}

    public Builder eventId(UUID eventId) {
      this.eventId = eventId;
      return this;
    }

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    public Builder eventType(String eventType) {
      this.eventType = eventType;
      return this;
    }

    /** The time the audited action happened; truncated to microseconds. */
    public Builder eventTimestamp(Instant eventTimestamp) {
      this.eventTimestamp = eventTimestamp;
      return this;
    }

    public Builder eventCategory(String eventCategory) {
      this.eventCategory = eventCategory;
      return this;
    }

    public Builder eventAction(String eventAction) {
      this.eventAction = eventAction;
      return this;
    }

    public Builder eventOutcome(EventOutcome eventOutcome) {
      this.eventOutcome = eventOutcome;
      return this;
    }

    public Builder correlationId(String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    public Builder actorType(String actorType) {
      this.actorType = actorType;
      return this;
    }

    public Builder actorId(String actorId) {
      this.actorId = actorId;
      return this;
    }

    /** The client's source IP address (at most 45 characters, an IPv6 address in full). */
    public Builder actorIp(String actorIp) {
      this.actorIp = actorIp;
      return this;
    }

    public Builder resourceType(String resourceType) {
      this.resourceType = resourceType;
      return this;
    }

    public Builder resourceId(String resourceId) {
      this.resourceId = resourceId;
      return this;
    }

    public Builder resourceName(String resourceName) {
      this.resourceName = resourceName;
      return this;
    }

    public Builder parentEventId(UUID parentEventId) {
      this.parentEventId = parentEventId;
      return this;
    }

    /** The parent's date; set by the server from the parent event. */
    public Builder parentEventDate(LocalDate parentEventDate) {
      this.parentEventDate = parentEventDate;
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    public Builder clusterName(String clusterName) {
      this.clusterName = clusterName;
      return this;
    }

    /** Any text of at most 20 characters; {@code info} when not set. */
    public Builder severity(String severity) {
      this.severity = severity;
      return this;
    }

    public Builder severity(Severity severity) {
      this.severity = severity == null ? null : severity.wireName();
      return this;
    }

    public Builder durationMs(Long durationMs) {
      this.durationMs = durationMs;
      return this;
    }

    public Builder errorCode(String errorCode) {
      this.errorCode = errorCode;
      return this;
    }

    public Builder errorMessage(String errorMessage) {
      this.errorMessage = errorMessage;
      return this;
    }

    /** The event's payload; must be a JSON object. A copy is kept. */
    public Builder eventData(JsonNode eventData) {
      this.eventData = eventData == null ? null : eventData.deepCopy();
      return this;
    }

    /** Takes a node nobody else holds, without the defensive copy: for freshly parsed JSON. */
    Builder eventDataOwned(JsonNode eventData) {
      this.eventData = eventData;
      return this;
    }

    /** The event's payload as a map of JSON-compatible values (strings, numbers, maps, lists…). */
    public Builder eventData(Map<String, ?> eventData) {
      this.eventData = eventData == null ? null : MapTrees.treeOf(eventData);
      return this;
    }

    public Builder retentionDays(Integer retentionDays) {
      this.retentionDays = retentionDays;
      return this;
    }

    public Builder sensitive(boolean sensitive) {
      this.sensitive = sensitive;
      return this;
    }

    /**
     * Numbers the event in a producer's sequence (the client does it; see docs/COMPLETENESS.md).
     * Any of them null with another set is a violation {@link EventValidator} reports.
     */
    public Builder producer(String producerId, UUID epoch, Long seq) {
      this.producerId = producerId;
      this.producerEpoch = epoch;
      this.producerSeq = seq;
      return this;
    }

    /**
     * The OpenTelemetry trace and span the event belongs to, as W3C Trace Context writes them (32
     * and 16 lowercase hex digits); {@link EventValidator} checks the form. Null or empty: none.
     */
    public Builder trace(String traceId, String spanId) {
      this.traceId = traceId;
      this.spanId = spanId;
      return this;
    }

    /** Applies the defaults and builds the event. Validity is checked by {@link EventValidator}. */
    public AuditEvent build() {
      return new AuditEvent(
          eventId != null ? eventId : UuidV7.generate(),
          version != null ? version : DEFAULT_VERSION,
          eventType,
          eventTimestamp == null ? null : Timestamps.normalize(eventTimestamp),
          eventCategory,
          eventAction,
          eventOutcome,
          correlationId,
          orDefault(actorType, DEFAULT_ACTOR_TYPE),
          actorId != null ? none(actorId) : defaultActorId(eventCategory),
          none(actorIp),
          orDefault(resourceType, eventCategory),
          orDefault(resourceId, correlationId),
          none(resourceName),
          parentEventId,
          parentEventDate,
          none(namespace),
          none(clusterName),
          orDefault(severity, Severity.INFO.wireName()),
          durationMs,
          none(errorCode),
          none(errorMessage),
          eventData,
          retentionDays, // null: the server's retention policy decides when the event is stored
          sensitive,
          none(producerId),
          producerEpoch,
          producerSeq,
          none(traceId),
          none(spanId));
    }

    /** Built only when needed: most producers name their actor, and every event would pay for it. */
    private static String defaultActorId(String eventCategory) {
      return eventCategory == null ? null : eventCategory + "-service";
    }

    /** Absent: the default. Empty: explicitly none. */
    private static String orDefault(String value, String defaultValue) {
      return value == null ? defaultValue : none(value);
    }

    private static String none(String value) {
      return value == null || value.isEmpty() ? null : value;
    }
  }
}
