package dev.auditflow.server.kubernaut;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;

/**
 * Reads answers the way the decoders Kubernaut's ogen generates from its Data Storage contract
 * do: the status picks the schema, the media type must be exactly the one the contract names,
 * required properties must be there with the right JSON type, and formats (uuid, date,
 * date-time), enums and lengths are validated as ogen's {@code Validate()} does. Anything else
 * is a decode error in Kubernaut — a failed call, retried or lost.
 */
public final class OgenDecoder {
  /** The contract's event_category enum (AuditEventRequest); ogen validates it on every AuditEvent read. */
  static final Set<String> CATEGORIES = Set.of("gateway", "notification", "analysis", "aiagent", "signalprocessing",
      "workflow", "workflowexecution", "orchestration", "approval", "effectiveness", "actiontype", "apifrontend",
      "security", "agentsession");

  private OgenDecoder() {}

  /** {@code createAuditEvent}: 201 AuditEventResponse or 202 AsyncAcceptanceResponse. */
  public static JsonNode createAuditEvent(HttpResponse<String> r) {
    JsonNode body = json(r, "application/json");
    if (r.statusCode() == 201) {
      uuid(body, "event_id", true);
      dateTime(body, "event_timestamp", true);
      string(body, "message", true);
    } else if (r.statusCode() == 202) {
      string(body, "status", true);
      string(body, "message", true);
    } else {
      throw new AssertionError("createAuditEvent decodes 201 and 202 as success, got " + r.statusCode() + ": " + r.body());
    }
    return body;
  }

  /** {@code createAuditEventsBatch}: only 201 BatchAuditEventResponse is a success. */
  public static JsonNode createAuditEventsBatch(HttpResponse<String> r) {
    assertThat(r.statusCode()).as("createAuditEventsBatch decodes only 201 as success: " + r.body()).isEqualTo(201);
    JsonNode body = json(r, "application/json");
    assertThat(body.get("event_ids").isArray()).as("event_ids is an array").isTrue();
    body.get("event_ids").forEach(id -> assertThat(isUuid(id)).as("event_ids item " + id).isTrue());
    string(body, "message", false);
    return body;
  }

  /** {@code queryAuditEvents}: 200 AuditEventsQueryResponse, every event validated. */
  public static JsonNode queryAuditEvents(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json(r, "application/json");
    assertThat(body.get("data").isArray()).isTrue();
    body.get("data").forEach(OgenDecoder::auditEvent);
    JsonNode pagination = body.get("pagination");
    if (pagination != null) {
      integer(pagination, "limit", false);
      integer(pagination, "offset", false);
      integer(pagination, "total", false);
      bool(pagination, "has_more", false);
    }
    return body;
  }

  /** {@code verifyAuditChain}: 200 VerifyChainResponse. */
  public static JsonNode verifyAuditChain(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json(r, "application/json");
    string(body, "correlation_id", true);
    bool(body, "is_valid", true);
    integer(body, "total_events", true);
    integer(body, "verified_events", true);
    dateTime(body, "verification_time", true);
    string(body, "message", true);
    JsonNode tampered = body.get("tampered_events");
    if (tampered != null) {
      assertThat(tampered.isArray()).isTrue();
      for (JsonNode t : tampered) {
        string(t, "event_id", false);
        dateTime(t, "event_timestamp", false);
        string(t, "expected_hash", false);
        string(t, "actual_hash", false);
        string(t, "previous_hash", false);
        string(t, "message", false);
      }
    }
    return body;
  }

  /** The default response: an RFC7807Problem as application/problem+json. */
  public static JsonNode problem(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = json(r, "application/problem+json");
    string(body, "type", true);
    string(body, "title", true);
    integer(body, "status", true);
    string(body, "detail", false);
    JsonNode fieldErrors = body.get("field_errors");
    if (fieldErrors != null) {
      assertThat(fieldErrors.isObject()).isTrue();
      fieldErrors.forEach(v -> assertThat(v.isTextual()).as("field_errors values are strings").isTrue());
    }
    return body;
  }

  /** AuditEvent = AuditEventRequest + the stored fields, as ogen's AuditEvent.Validate() checks it. */
  static void auditEvent(JsonNode e) {
    length(e, "version", 1, 20, true);
    length(e, "event_type", 1, 100, true);
    dateTime(e, "event_timestamp", true);
    assertThat(CATEGORIES).as("event_category in the contract's enum").contains(text(e, "event_category"));
    length(e, "event_action", 1, 50, true);
    assertThat(Set.of("success", "failure", "pending")).contains(text(e, "event_outcome"));
    length(e, "correlation_id", 1, 255, true);
    length(e, "actor_ip", 0, 45, false);
    uuid(e, "event_id", false);
    uuid(e, "parent_event_id", false);
    dateTime(e, "parent_event_date", false);
    date(e, "event_date", false);
    for (String f : new String[] {"actor_type", "actor_id", "resource_type", "resource_id", "namespace", "cluster_id",
        "severity", "error_code", "error_message", "event_hash", "previous_event_hash"}) {
      string(e, f, false);
    }
    integer(e, "duration_ms", false);
    integer(e, "retention_days", false);
    bool(e, "is_sensitive", false);
    JsonNode data = e.get("event_data");
    assertThat(data != null && data.isObject()).as("event_data is an object").isTrue();
    // The oneOf is resolved by the discriminator inside event_data.
    assertThat(data.path("event_type").isTextual()).as("event_data carries its event_type discriminator").isTrue();
  }

  private static JsonNode json(HttpResponse<String> r, String mediaType) {
    String contentType = r.headers().firstValue("Content-Type").orElse("");
    assertThat(contentType.split(";")[0].trim()).as("media type of a " + r.statusCode()).isEqualTo(mediaType);
    try {
      return AuditEventJson.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    assertThat(v != null && v.isTextual()).as(field + " is a string in " + node).isTrue();
    return v.asText();
  }

  private static JsonNode present(JsonNode node, String field, boolean required) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      assertThat(required).as(field + " is required in " + node).isFalse();
      return null;
    }
    return v;
  }

  private static void string(JsonNode node, String field, boolean required) {
    JsonNode v = present(node, field, required);
    assertThat(v == null || v.isTextual()).as(field + " is a string").isTrue();
  }

  private static void length(JsonNode node, String field, int min, int max, boolean required) {
    JsonNode v = present(node, field, required);
    if (v != null) {
      assertThat(v.isTextual()).as(field + " is a string").isTrue();
      assertThat(v.asText().codePointCount(0, v.asText().length())).as(field + " length").isBetween(min, max);
    }
  }

  private static void integer(JsonNode node, String field, boolean required) {
    JsonNode v = present(node, field, required);
    assertThat(v == null || v.isIntegralNumber()).as(field + " is an integer").isTrue();
  }

  private static void bool(JsonNode node, String field, boolean required) {
    JsonNode v = present(node, field, required);
    assertThat(v == null || v.isBoolean()).as(field + " is a boolean").isTrue();
  }

  private static void uuid(JsonNode node, String field, boolean required) {
    JsonNode v = present(node, field, required);
    assertThat(v == null || isUuid(v)).as(field + " is a uuid: " + v).isTrue();
  }

  private static boolean isUuid(JsonNode v) {
    try {
      return v.isTextual() && UUID.fromString(v.asText()).toString().equals(v.asText().toLowerCase());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void dateTime(JsonNode node, String field, boolean required) {
    JsonNode v = present(node, field, required);
    if (v != null) {
      assertThat(v.isTextual()).as(field + " is a string").isTrue();
      OffsetDateTime.parse(v.asText()); // Go's time.RFC3339 layout accepts what this accepts
    }
  }

  private static void date(JsonNode node, String field, boolean required) {
    JsonNode v = present(node, field, required);
    if (v != null) {
      LocalDate.parse(v.asText());
    }
  }
}
