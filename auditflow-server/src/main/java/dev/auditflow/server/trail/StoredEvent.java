package dev.auditflow.server.trail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.Timestamps;
import dev.auditflow.verify.ChainHasher;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A row of {@code audit_events}: the event as sent, plus what the server added. */
public record StoredEvent(
    AuditEvent event,
    LocalDate eventDate,
    Instant receivedAt,
    Long chainPosition,
    String previousEventHash,
    String eventHash,
    String hashAlgorithm,
    String ingestedBy) {

  /** The columns {@link #read(ResultSet)} expects, for SELECT lists. */
  public static final String COLUMNS =
      "event_id, event_date, event_timestamp, received_at, version, event_type, event_category, event_action, "
          + "event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, resource_name, "
          + "parent_event_id, namespace, cluster_name, severity, duration_ms, error_code, error_message, "
          + "event_data, retention_days, is_sensitive, chain_position, previous_event_hash, event_hash, hash_algorithm, "
          + "actor_ip, parent_event_date, ingested_by, producer_id, producer_epoch, producer_seq, trace_id, span_id";

  public static StoredEvent read(ResultSet rs) throws SQLException {
    AuditEvent event;
    try {
      event = AuditEvent.builder()
          .eventId(rs.getObject("event_id", UUID.class))
          .eventTimestamp(rs.getObject("event_timestamp", OffsetDateTime.class).toInstant())
          .version(rs.getString("version"))
          .eventType(rs.getString("event_type"))
          .eventCategory(rs.getString("event_category"))
          .eventAction(rs.getString("event_action"))
          .eventOutcome(EventOutcome.fromWireName(rs.getString("event_outcome")).orElseThrow())
          .correlationId(rs.getString("correlation_id"))
          .actorType(noneIfNull(rs.getString("actor_type")))
          .actorId(noneIfNull(rs.getString("actor_id")))
          .actorIp(rs.getString("actor_ip"))
          .resourceType(noneIfNull(rs.getString("resource_type")))
          .resourceId(noneIfNull(rs.getString("resource_id")))
          .resourceName(rs.getString("resource_name"))
          .parentEventId(rs.getObject("parent_event_id", UUID.class))
          .parentEventDate(rs.getObject("parent_event_date", LocalDate.class))
          .namespace(rs.getString("namespace"))
          .clusterName(rs.getString("cluster_name"))
          .severity(noneIfNull(rs.getString("severity")))
          .durationMs((Long) rs.getObject("duration_ms"))
          .errorCode(rs.getString("error_code"))
          .errorMessage(rs.getString("error_message"))
          .eventData(AuditEventJson.mapper().readTree(rs.getString("event_data")))
          .retentionDays(rs.getInt("retention_days"))
          .sensitive(rs.getBoolean("is_sensitive"))
          .producer(rs.getString("producer_id"), rs.getObject("producer_epoch", UUID.class),
              (Long) rs.getObject("producer_seq"))
          .trace(rs.getString("trace_id"), rs.getString("span_id"))
          .build();
    } catch (IOException e) {
      throw new SQLException("stored event_data is not JSON", e);
    }
    return new StoredEvent(
        event,
        rs.getObject("event_date", LocalDate.class),
        rs.getObject("received_at", OffsetDateTime.class).toInstant(),
        (Long) rs.getObject("chain_position"),
        rs.getString("previous_event_hash"),
        rs.getString("event_hash"),
        rs.getString("hash_algorithm"),
        rs.getString("ingested_by"));
  }

  /**
   * A stored NULL read back as "none" (the empty string), so that the builder's default does not
   * replace it: the event must read back exactly as it was hashed.
   */
  private static String noneIfNull(String value) {
    return value == null ? "" : value;
  }

  /** As the API shows it: the event's own fields, then the server's. */
  public ObjectNode toJson() {
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(event);
    json.put("event_date", eventDate.toString());
    json.put("received_at", Timestamps.format(receivedAt));
    if (ingestedBy != null) {
      json.put("ingested_by", ingestedBy);
    }
    if (chainPosition != null) {
      json.put("chain_position", chainPosition);
      // The first event of a chain shows "" as Kubernaut's answers do; its hash was computed over
      // ChainHasher.GENESIS, which verifiers put back (docs/CHAIN.md).
      json.put("previous_event_hash", chainPosition == 1 ? "" : previousEventHash);
      json.put("event_hash", eventHash);
      json.put("hash_algorithm", hashAlgorithm);
    }
    return json;
  }

  private static final List<String> DEFAULTED =
      List.of("version", "severity", "actor_type", "actor_id", "resource_type", "resource_id");

  /**
   * The event as an export or a log proof carries it: as {@link #toJson()}, except that a
   * defaulted field stored as none is written as {@code ""} rather than left out — read back, an
   * absent field would take its default and the event would no longer hash to its {@code
   * event_hash}.
   */
  public ObjectNode toSelfContainedJson() {
    ObjectNode json = toJson();
    for (String field : DEFAULTED) {
      if (!json.hasNonNull(field)) {
        json.put(field, "");
      }
    }
    return json;
  }
}
