package dev.auditflow.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
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
 *       retention_days} {@value #DEFAULT_RETENTION_DAYS}; {@code is_sensitive} false;
 *   <li>{@code actor_type} {@code service}, {@code actor_id} {@code <event_category>-service},
 *       {@code resource_type} the category and {@code resource_id} the correlation id.
 * </ul>
 *
 * <p>{@code event_data} is a Jackson {@link JsonNode}; the builder stores a private copy. Treat
 * the node returned by {@link #eventData()} as read-only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "event_id", "version", "event_type", "event_timestamp", "event_category", "event_action",
  "event_outcome", "correlation_id", "actor_type", "actor_id", "resource_type", "resource_id",
  "resource_name", "parent_event_id", "namespace", "cluster_name", "severity", "duration_ms",
  "error_code", "error_message", "event_data", "retention_days", "is_sensitive"
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
    @JsonProperty("resource_type") String resourceType,
    @JsonProperty("resource_id") String resourceId,
    @JsonProperty("resource_name") String resourceName,
    @JsonProperty("parent_event_id") UUID parentEventId,
    @JsonProperty("namespace") String namespace,
    @JsonProperty("cluster_name") String clusterName,
    @JsonProperty("severity") Severity severity,
    @JsonProperty("duration_ms") Long durationMs,
    @JsonProperty("error_code") String errorCode,
    @JsonProperty("error_message") String errorMessage,
    @JsonProperty("event_data") JsonNode eventData,
    @JsonProperty("retention_days") Integer retentionDays,
    @JsonProperty("is_sensitive") boolean sensitive) {

  public static final String DEFAULT_VERSION = "1.0";
  public static final int DEFAULT_RETENTION_DAYS = 2555;
  public static final String DEFAULT_ACTOR_TYPE = "service";

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
    b.actorType = actorType;
    b.actorId = actorId;
    b.resourceType = resourceType;
    b.resourceId = resourceId;
    b.resourceName = resourceName;
    b.parentEventId = parentEventId;
    b.namespace = namespace;
    b.clusterName = clusterName;
    b.severity = severity;
    b.durationMs = durationMs;
    b.errorCode = errorCode;
    b.errorMessage = errorMessage;
    b.eventData = eventData;
    b.retentionDays = retentionDays;
    b.sensitive = sensitive;
    return b;
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
    private String resourceType;
    private String resourceId;
    private String resourceName;
    private UUID parentEventId;
    private String namespace;
    private String clusterName;
    private Severity severity;
    private Long durationMs;
    private String errorCode;
    private String errorMessage;
    private JsonNode eventData;
    private Integer retentionDays;
    private boolean sensitive;

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

    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    public Builder clusterName(String clusterName) {
      this.clusterName = clusterName;
      return this;
    }

    public Builder severity(Severity severity) {
      this.severity = severity;
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
      this.eventData = eventData == null ? null : AuditEventJson.mapper().valueToTree(eventData);
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
          actorType != null ? actorType : DEFAULT_ACTOR_TYPE,
          actorId != null ? actorId : eventCategory == null ? null : eventCategory + "-service",
          resourceType != null ? resourceType : eventCategory,
          resourceId != null ? resourceId : correlationId,
          resourceName,
          parentEventId,
          namespace,
          clusterName,
          severity != null ? severity : Severity.INFO,
          durationMs,
          errorCode,
          errorMessage,
          eventData,
          retentionDays != null ? retentionDays : DEFAULT_RETENTION_DAYS,
          sensitive);
    }
  }
}
