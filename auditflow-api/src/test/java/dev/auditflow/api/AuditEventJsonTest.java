package dev.auditflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditEventJsonTest {

  @Test
  void everyFieldRoundTrips() throws Exception {
    AuditEvent original =
        AuditEvent.builder()
            .eventId(UUID.randomUUID())
            .version("2.1")
            .eventType("gateway.signal.received")
            .eventTimestamp(Instant.parse("2026-11-26T11:59:59.123456789Z"))
            .eventCategory("gateway")
            .eventAction("receive")
            .eventOutcome(EventOutcome.FAILURE)
            .correlationId("corr-42")
            .actorType("user")
            .actorId("alice")
            .resourceType("signal")
            .resourceId("sig-7")
            .resourceName("CPU high")
            .parentEventId(UUID.randomUUID())
            .namespace("prod")
            .clusterName("eu-1")
            .severity(Severity.CRITICAL)
            .durationMs(1234L)
            .errorCode("E42")
            .errorMessage("boom")
            .eventData(Map.of("nested", Map.of("list", java.util.List.of(1, 2, 3)), "unicode", "ü→😀"))
            .retentionDays(30)
            .sensitive(true)
            .build();
    String json = AuditEventJson.toJson(original);
    ParsedEvent back = AuditEventJson.read(AuditEventJson.mapper().readTree(json));
    assertThat(back.violations()).isEmpty();
    assertThat(back.event()).isEqualTo(original);
    assertThat(json)
        .contains("\"event_timestamp\":\"2026-11-26T11:59:59.123456Z\"")
        .contains("\"is_sensitive\":true")
        .contains("\"event_outcome\":\"failure\"")
        .contains("\"severity\":\"critical\"");
  }

  @Test
  void numbersInEventDataAreKeptExactly() throws Exception {
    String data = "{\"amount\":12345678901234567890.10,\"rate\":0.1,\"big\":123456789012345678901234567890}";
    JsonNode parsed = AuditEventJson.mapper().readTree(data);
    assertThat(AuditEventJson.mapper().writeValueAsString(parsed)).isEqualTo(data);
  }

  @Test
  void defaultsAreAppliedAtBuild() {
    AuditEvent e = TestEvents.valid().build();
    assertThat(e.eventId()).isNotNull();
    assertThat(e.eventId().version()).isEqualTo(7);
    assertThat(e.version()).isEqualTo("1.0");
    assertThat(e.actorType()).isEqualTo("service");
    assertThat(e.actorId()).isEqualTo("gateway-service");
    assertThat(e.resourceType()).isEqualTo("gateway");
    assertThat(e.resourceId()).isEqualTo("corr-1");
    assertThat(e.severity()).isEqualTo(Severity.INFO.wireName());
    assertThat(e.retentionDays()).as("left to the server's retention policy").isNull();
    assertThat(AuditEventJson.mapper().valueToTree(e).has("retention_days")).isFalse();
    assertThat(e.sensitive()).isFalse();
  }

  private static final String WITHOUT_ID =
      "{\"event_type\":\"t\",\"event_timestamp\":\"2026-11-26T12:00:00Z\",\"event_category\":\"c\","
          + "\"event_action\":\"a\",\"event_outcome\":\"success\",\"correlation_id\":\"x\","
          + "\"event_data\":{\"b\":1,\"a\":[1.0,\"x\"]}}";

  @Test
  void anAbsentIdIsDerivedFromTheContentSoARetryIsTheSameEvent() throws Exception {
    ParsedEvent first = AuditEventJson.read(AuditEventJson.mapper().readTree(WITHOUT_ID));
    ParsedEvent retry = AuditEventJson.read(AuditEventJson.mapper().readTree(WITHOUT_ID));
    assertThat(first.violations()).isEmpty();
    UUID id = first.event().eventId();
    assertThat(id).isEqualTo(retry.event().eventId());
    assertThat(id.version()).isEqualTo(8);
    assertThat(id.variant()).isEqualTo(2);
    // Time-ordered like version 7: the first 48 bits are the event's Unix milliseconds.
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(Instant.parse("2026-11-26T12:00:00Z").toEpochMilli());
    // Key order and number spelling do not matter; any field's value does.
    ParsedEvent reordered = AuditEventJson.read(AuditEventJson.mapper().readTree(
        WITHOUT_ID.replace("{\"b\":1,\"a\":[1.0,\"x\"]}", "{\"a\":[1,\"x\"],\"b\":1.00}")));
    assertThat(reordered.event().eventId()).isEqualTo(id);
    ParsedEvent other = AuditEventJson.read(AuditEventJson.mapper().readTree(WITHOUT_ID.replace("\"x\",", "\"y\",")));
    assertThat(other.event().eventId()).isNotEqualTo(id);
  }

  @Test
  void kubernautFieldsAreReadAndWritten() throws Exception {
    ObjectNode json = (ObjectNode) AuditEventJson.mapper().readTree(WITHOUT_ID);
    json.put("cluster_id", "fleet-7").put("actor_ip", "2001:db8::1").put("parent_event_date", "2026-11-25T00:00:00Z")
        .put("severity", "high").put("namespace", "");
    AuditEvent e = AuditEventJson.read(json).event();
    assertThat(e.clusterName()).isEqualTo("fleet-7");
    assertThat(e.actorIp()).isEqualTo("2001:db8::1");
    assertThat(e.parentEventDate()).isEqualTo(java.time.LocalDate.parse("2026-11-25"));
    assertThat(e.severity()).isEqualTo("high");
    assertThat(e.namespace()).isNull();
    JsonNode written = AuditEventJson.toTree(e);
    assertThat(written.get("cluster_id").asText()).isEqualTo("fleet-7");
    assertThat(written.get("cluster_name").asText()).isEqualTo("fleet-7");
    assertThat(written.get("parent_event_date").asText()).isEqualTo("2026-11-25T00:00:00.000000Z");
    assertThat(written.has("namespace")).isFalse();
    // The written form reads back to the same event (the DLQ relies on it).
    assertThat(AuditEventJson.read(written).event()).isEqualTo(e);
  }

  @Test
  void clusterIdAndClusterNameMustAgree() throws Exception {
    ObjectNode json = (ObjectNode) AuditEventJson.mapper().readTree(WITHOUT_ID);
    json.put("cluster_id", "a").put("cluster_name", "b");
    assertThat(AuditEventJson.read(json).violations()).extracting(Violation::field).containsExactly("cluster_id");
  }

  @Test
  void builderCopiesEventData() {
    var data = AuditEventJson.mapper().createObjectNode().put("a", 1);
    AuditEvent e = TestEvents.valid().eventData(data).build();
    data.put("a", 2);
    assertThat(e.eventData().get("a").asInt()).isEqualTo(1);
  }

  @Test
  void serverFieldsAndUnknownFieldsAreIgnoredOnInput() throws Exception {
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) AuditEventJson.toTree(TestEvents.valid().build());
    json.put("event_date", "2026-11-26").put("received_at", "x").put("something_new", 1);
    assertThat(AuditEventJson.read(json).violations()).isEmpty();
  }

  @Test
  void timestampsAcceptAnyOffsetAndNormaliseToUtcMicros() {
    assertThat(Timestamps.parse("2026-11-26T13:00:00+01:00")).isEqualTo(Instant.parse("2026-11-26T12:00:00Z"));
    assertThat(Timestamps.parse("2026-11-26T06:30:00-05:30")).isEqualTo(Instant.parse("2026-11-26T12:00:00Z"));
    assertThat(Timestamps.parse("2026-11-26t12:00:00.1234567z")).isEqualTo(Instant.parse("2026-11-26T12:00:00.123456Z"));
    assertThat(Timestamps.format(Instant.parse("2026-11-26T12:00:00Z"))).isEqualTo("2026-11-26T12:00:00.000000Z");
    assertThatThrownBy(() -> Timestamps.parse("2026-11-26T12:00:00")).hasMessageContaining("RFC 3339");
    assertThatThrownBy(() -> Timestamps.parse("26/11/2026")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void uuidV7IsTimeOrdered() {
    UUID earlier = UuidV7.at(1_000);
    UUID later = UuidV7.at(2_000);
    assertThat(earlier.version()).isEqualTo(7);
    assertThat(earlier.variant()).isEqualTo(2);
    assertThat(earlier.toString()).isLessThan(later.toString());
  }

  @Test
  void problemSerialisesAsRfc7807() throws Exception {
    Problem p = Problem.validation("2 events invalid", java.util.List.of(new Violation("event_type", "is required").atIndex(3)));
    String json = AuditEventJson.mapper().writeValueAsString(p);
    assertThat(json)
        .contains("\"type\":\"https://auditflow.dev/problems/validation-error\"")
        .contains("\"status\":400")
        .contains("{\"index\":3,\"field\":\"event_type\",\"message\":\"is required\"}");
    Problem back = AuditEventJson.mapper().readValue(json, Problem.class);
    assertThat(back).isEqualTo(p);
    assertThat(back.slug()).isEqualTo("validation-error");
  }
}
