package dev.auditflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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
    assertThat(e.severity()).isEqualTo(Severity.INFO);
    assertThat(e.retentionDays()).isEqualTo(2555);
    assertThat(e.sensitive()).isFalse();
  }

  @Test
  void absentIdIsGeneratedOnRead() throws Exception {
    JsonNode json = AuditEventJson.mapper().readTree(
        "{\"event_type\":\"t\",\"event_timestamp\":\"2026-11-26T12:00:00Z\",\"event_category\":\"c\","
            + "\"event_action\":\"a\",\"event_outcome\":\"success\",\"correlation_id\":\"x\",\"event_data\":{}}");
    ParsedEvent parsed = AuditEventJson.read(json);
    assertThat(parsed.violations()).isEmpty();
    assertThat(parsed.event().eventId()).isNotNull();
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
